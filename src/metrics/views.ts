/**
 * The five dashboard views of the harness, shared by the Grafana dashboards (which run the
 * PromQL), the live page and the HTML report (which compute the same series from the
 * harness's own registry, see `series.ts`). Every `[5s]` window contains five samples at
 * the shipped 1 s scrape interval.
 */

/** Kind of a series' values, which sets the range `scripts/check-dashboards` accepts. */
export type SeriesKind =
  /** A per-second rate of a counter: never negative. */
  | "rate"
  /** A gauge that counts things: never negative. */
  | "count"
  /** A share between 0 and 1. */
  | "ratio"
  /** A quantile of a duration histogram, in seconds: never negative. */
  | "seconds";

export interface ViewSeries {
  /** Stable key of the series, shared by the PromQL target and the page's sampler. */
  id: string;
  /** PromQL as Grafana runs it, where `$scenario` is the dashboard's scenario variable. */
  expr: string;
  /** Grafana legend format, in which `{{label}}` becomes the label's value. */
  legend: string;
  kind: SeriesKind;
}

export interface ViewPanel {
  title: string;
  description: string;
  /** Grafana unit id of the y axis: `short`, `cps` (counts per second), `s`, `percentunit`. */
  unit: "short" | "cps" | "s" | "percentunit";
  /** Axis label, naming the unit in words. */
  axisLabel: string;
  series: ViewSeries[];
}

export interface View {
  /** Grafana dashboard uid and file name (`dashboards/<uid>.json`). */
  uid: string;
  title: string;
  /** True when the view's queries filter on the `$scenario` variable. */
  byScenario: boolean;
  panels: ViewPanel[];
}

const SCENARIO = 'scenario=~"$scenario"';

function quantile(q: number, metric: string, by: string, filter = ""): string {
  const selector = filter ? `{${filter}}` : "";
  return `histogram_quantile(${q}, sum by (${by}) (rate(${metric}_bucket${selector}[5s])))`;
}

export const VIEWS: readonly View[] = [
  {
    uid: "harness-system-overview",
    title: "Harness: system overview",
    byScenario: false,
    panels: [
      {
        title: "Active players",
        description: "Players running an iteration, sampled by the pool every 100 ms.",
        unit: "short",
        axisLabel: "players",
        series: [
          { id: "players_active", expr: "harness_players_active", legend: "active", kind: "count" },
        ],
      },
      {
        title: "Player creation rate",
        description: "Players created per second.",
        unit: "cps",
        axisLabel: "players/s",
        series: [
          {
            id: "players_created_rate",
            expr: "rate(harness_players_total[5s])",
            legend: "created",
            kind: "rate",
          },
        ],
      },
      {
        title: "Idle pool depth",
        description: "Idle players waiting in the pool's queue.",
        unit: "short",
        axisLabel: "players",
        series: [
          {
            id: "pool_idle_depth",
            expr: "harness_pool_idle_queue_depth",
            legend: "idle",
            kind: "count",
          },
        ],
      },
      {
        title: "Idle saturation",
        description: "Idle queue depth over its capacity: 1 means the idle queue is full.",
        unit: "percentunit",
        axisLabel: "share of capacity",
        series: [
          {
            id: "pool_idle_saturation",
            expr: "harness_pool_idle_queue_depth / harness_pool_idle_capacity",
            legend: "idle / capacity",
            kind: "ratio",
          },
        ],
      },
      {
        title: "Internal errors",
        description: "Errors of the harness itself (load, config, internal, output) per second.",
        unit: "cps",
        axisLabel: "errors/s",
        series: [
          {
            id: "errors_rate",
            expr: "rate(harness_errors_total[5m])",
            legend: "{{kind}}",
            kind: "rate",
          },
        ],
      },
    ],
  },
  {
    uid: "harness-scenario-throughput",
    title: "Harness: scenario throughput",
    byScenario: true,
    panels: [
      {
        title: "Desired rate",
        description: "Arrivals per second the scenario's schedule asks for now.",
        unit: "cps",
        axisLabel: "arrivals/s",
        series: [
          {
            id: "desired_rate",
            expr: `harness_compositor_desired_rate{${SCENARIO}}`,
            legend: "{{scenario}}",
            kind: "count",
          },
        ],
      },
      {
        title: "Attempted vs started",
        description: "Arrivals attempted and iterations started per second. The gap is drops.",
        unit: "cps",
        axisLabel: "iterations/s",
        series: [
          {
            id: "attempted_rate",
            expr: `rate(harness_scenario_attempted_total{${SCENARIO}}[5s])`,
            legend: "{{scenario}} attempted",
            kind: "rate",
          },
          {
            id: "started_rate",
            expr: `rate(harness_scenario_started_total{${SCENARIO}}[5s])`,
            legend: "{{scenario}} started",
            kind: "rate",
          },
        ],
      },
      {
        title: "Completions by status",
        description: "Iterations ended per second, by status (success, failure, cancelled).",
        unit: "cps",
        axisLabel: "iterations/s",
        series: [
          {
            id: "completed_rate",
            expr: `rate(harness_scenario_completed_total{${SCENARIO}}[5s])`,
            legend: "{{scenario}} {{status}}",
            kind: "rate",
          },
        ],
      },
    ],
  },
  {
    uid: "harness-scenario-latency",
    title: "Harness: scenario latency",
    byScenario: true,
    panels: [
      {
        title: "Iteration service time",
        description: "p50, p95 and p99 of the time from an iteration's actual start to its end.",
        unit: "s",
        axisLabel: "seconds",
        series: [0.5, 0.95, 0.99].map((q) => ({
          id: `duration_p${Math.round(q * 100)}`,
          expr: quantile(q, "harness_scenario_duration_seconds", "scenario, le", SCENARIO),
          legend: `{{scenario}} p${Math.round(q * 100)}`,
          kind: "seconds" as const,
        })),
      },
    ],
  },
  {
    uid: "harness-backpressure",
    title: "Harness: backpressure and saturation",
    byScenario: true,
    panels: [
      {
        title: "Idle starvation rate",
        description:
          "Arrivals dropped per second because no player was free and none could be made.",
        unit: "cps",
        axisLabel: "drops/s",
        series: [
          {
            id: "starvation_rate",
            expr: `rate(harness_compositor_idle_starvation_total{${SCENARIO}}[5s])`,
            legend: "{{scenario}}",
            kind: "rate",
          },
        ],
      },
      {
        title: "Pool execute wait p95",
        description: "p95 of the time from an execute request to the hand-off of a player.",
        unit: "s",
        axisLabel: "seconds",
        series: [
          {
            id: "execute_wait_p95",
            expr: quantile(0.95, "harness_pool_execute_wait_duration_seconds", "le"),
            legend: "p95",
            kind: "seconds",
          },
        ],
      },
    ],
  },
  {
    uid: "harness-scheduler-health",
    title: "Harness: scheduler health",
    byScenario: false,
    panels: [
      {
        title: "Tick duration p95",
        description: "p95 of one tick of the pool's monitor loop and of the compositor.",
        unit: "s",
        axisLabel: "seconds",
        series: [
          {
            id: "pool_tick_p95",
            expr: quantile(0.95, "harness_pool_tick_duration_seconds", "le"),
            legend: "pool",
            kind: "seconds",
          },
          {
            id: "compositor_tick_p95",
            expr: quantile(0.95, "harness_compositor_tick_duration_seconds", "le"),
            legend: "compositor",
            kind: "seconds",
          },
        ],
      },
      {
        title: "Tick lag and event loop lag p95",
        description: "p95 of how late the compositor's tick and the harness's own timer fired.",
        unit: "s",
        axisLabel: "seconds",
        series: [
          {
            id: "compositor_lag_p95",
            expr: quantile(0.95, "harness_compositor_tick_lag_seconds", "le"),
            legend: "compositor tick lag",
            kind: "seconds",
          },
          {
            id: "event_loop_lag_p95",
            expr: quantile(0.95, "harness_event_loop_lag_seconds", "le"),
            legend: "event loop lag",
            kind: "seconds",
          },
        ],
      },
      {
        title: "Cancellations by source",
        description:
          "Iterations cancelled per second, by source (shutdown, timeout, operator, reload).",
        unit: "cps",
        axisLabel: "iterations/s",
        series: [
          {
            id: "cancellations_rate",
            expr: "rate(harness_cancellations_total[5s])",
            legend: "{{source}}",
            kind: "rate",
          },
        ],
      },
    ],
  },
];

/** Lists every series of every view, in order. */
export function allViewSeries(): ViewSeries[] {
  return VIEWS.flatMap((view) => view.panels.flatMap((panel) => panel.series));
}
