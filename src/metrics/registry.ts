import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { exponentialBucketsSeconds } from "./units.ts";

export const NAMESPACE = "harness_";
export const CANCELLATION_SOURCES = ["shutdown", "timeout", "operator", "reload"] as const;
export const ERROR_KINDS = ["load", "config", "internal", "output"] as const;
/**
 * prom-client 15's gauges whose `_total` suffix Prometheus reserves for counters, so
 * `promtool check metrics` rejects them. They are left out of `/metrics`.
 */
const MISNAMED_PROCESS_GAUGES = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];
export const ITERATION_STATUSES = ["success", "failure", "cancelled"] as const;

export interface MetricsOptions {
  /** Upper bounds of every duration histogram, in seconds (default 0.25 ms to 60 s by doubling). */
  bucketsSeconds?: number[];
  /** Registers prom-client's process metrics under the `harness_` prefix (default true). */
  processMetrics?: boolean;
}

/**
 * Every metric of the harness in one prom-client registry, registered once per instance.
 * Names carry their base unit (`_seconds`, `_total`) as Prometheus's naming rules ask.
 */
export class HarnessMetrics {
  readonly registry = new Registry();
  /** Callbacks that move batched counts into the metrics; run before any metric is read. */
  readonly #beforeCollect = new Set<() => void>();
  /** Why prom-client's process metrics are missing, when they are. */
  readonly processMetricsError: string | undefined;

  readonly playersTotal;
  readonly playersActive;
  readonly poolIdleQueueDepth;
  readonly poolIdleCapacity;
  readonly poolExecuteWait;
  readonly poolTickDuration;
  readonly compositorDesiredRate;
  readonly compositorIdleStarvation;
  readonly compositorTickDuration;
  readonly compositorTickLag;
  readonly scenarioStartLag;
  readonly scenarioAttempted;
  readonly scenarioStarted;
  readonly scenarioCompleted;
  readonly scenarioDuration;
  readonly cancellations;
  readonly errors;
  readonly inflightIterations;
  readonly eventLoopLag;
  readonly httpRequests;
  readonly httpRequestDuration;
  readonly httpRequestFailures;
  readonly httpSentBytes;
  readonly httpReceivedBytes;
  readonly checks;
  readonly thresholdPassing;

  constructor(options: MetricsOptions = {}) {
    const buckets = options.bucketsSeconds ?? exponentialBucketsSeconds();
    const registers = [this.registry];
    const flush = () => this.#flushBatches();
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name: NAMESPACE + name, help, labelNames, registers, collect: flush });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name: NAMESPACE + name, help, labelNames, registers });
    const histogram = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[] = [],
    ) => new Histogram<L>({ name: NAMESPACE + name, help, labelNames, buckets, registers });

    this.playersTotal = counter("players_total", "Players created.");
    this.playersActive = gauge(
      "players_active",
      "Players running an iteration, sampled by the pool's monitor loop.",
    );
    this.poolIdleQueueDepth = gauge(
      "pool_idle_queue_depth",
      "Idle players waiting in the pool's queue.",
    );
    this.poolIdleCapacity = gauge(
      "pool_idle_capacity",
      "Capacity of the pool's idle queue, set at start.",
    );
    this.poolExecuteWait = histogram(
      "pool_execute_wait_duration_seconds",
      "Time from an execute request to the hand-off of a player, in seconds.",
    );
    this.poolTickDuration = histogram(
      "pool_tick_duration_seconds",
      "Duration of one pool monitor tick, in seconds.",
    );
    this.compositorDesiredRate = gauge(
      "compositor_desired_rate",
      "Arrivals per second the scenario's schedule asks for now.",
      ["scenario"],
    );
    this.compositorIdleStarvation = counter(
      "compositor_idle_starvation_total",
      "Arrivals dropped because no player was free and none could be created.",
      ["scenario"],
    );
    this.compositorTickDuration = histogram(
      "compositor_tick_duration_seconds",
      "Duration of one compositor tick, in seconds.",
    );
    this.compositorTickLag = histogram(
      "compositor_tick_lag_seconds",
      "How late a compositor tick fired after its planned time, in seconds.",
    );
    this.scenarioStartLag = histogram(
      "scenario_start_lag_seconds",
      "Actual start of an iteration minus its planned start, in seconds.",
      ["scenario"],
    );
    this.scenarioAttempted = counter(
      "scenario_attempted_total",
      "Arrivals the schedule attempted.",
      ["scenario"],
    );
    this.scenarioStarted = counter("scenario_started_total", "Iterations started.", ["scenario"]);
    this.scenarioCompleted = counter("scenario_completed_total", "Iterations ended, by status.", [
      "scenario",
      "status",
    ]);
    this.scenarioDuration = histogram(
      "scenario_duration_seconds",
      "Iteration service time, from actual start to end, in seconds.",
      ["scenario"],
    );
    this.cancellations = counter(
      "cancellations_total",
      "Iterations cancelled, by what cancelled them.",
      ["source"],
    );
    this.errors = counter(
      "errors_total",
      "Errors of the harness itself, not of the target, by kind.",
      ["kind"],
    );
    this.inflightIterations = gauge("inflight_iterations", "Iterations running now.");
    this.eventLoopLag = histogram(
      "event_loop_lag_seconds",
      "Delay of the harness's own timer beyond its interval, in seconds.",
    );
    this.httpRequests = counter("http_requests_total", "HTTP requests made by scenarios.", [
      "scenario",
      "method",
      "status",
      "name",
    ]);
    this.httpRequestDuration = histogram(
      "http_request_duration_seconds",
      "HTTP request duration until the body is read, in seconds.",
      ["scenario", "method", "status", "name"],
    );
    this.httpRequestFailures = counter(
      "http_request_failures_total",
      "Failed HTTP requests: a network failure or a status outside the expected ones.",
      ["scenario", "name", "kind"],
    );
    this.httpSentBytes = counter(
      "http_sent_bytes_total",
      "Bytes sent in HTTP requests, headers included (estimated).",
      ["scenario"],
    );
    this.httpReceivedBytes = counter(
      "http_received_bytes_total",
      "Bytes received in HTTP responses, headers included (estimated).",
      ["scenario"],
    );
    this.checks = counter("checks_total", "Check results of ctx.check, by check name and result.", [
      "scenario",
      "check",
      "result",
    ]);
    this.thresholdPassing = gauge(
      "threshold_passing",
      "1 while the threshold holds at its latest evaluation, 0 once it fails.",
      ["threshold"],
    );

    for (const source of CANCELLATION_SOURCES) this.cancellations.inc({ source }, 0);
    for (const kind of ERROR_KINDS) this.errors.inc({ kind }, 0);
    this.processMetricsError =
      options.processMetrics === false ? undefined : this.#collectProcessMetrics();
  }

  /**
   * Registers `flush`, which moves counts batched outside prom-client into the counters.
   * prom-client calls every counter's `collect` before reading it, for `/metrics` and for
   * `get()`, so batched counts are always in what is read.
   */
  beforeCollect(flush: () => void): void {
    this.#beforeCollect.add(flush);
  }

  #flushBatches(): void {
    for (const flush of this.#beforeCollect) flush();
  }

  /** Registers prom-client's default metrics; returns why they failed on this runtime, if they did. */
  #collectProcessMetrics(): string | undefined {
    try {
      collectDefaultMetrics({ register: this.registry, prefix: NAMESPACE });
      for (const name of MISNAMED_PROCESS_GAUGES)
        this.registry.removeSingleMetric(NAMESPACE + name);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** The text exposition of every metric, as served at `/metrics`. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
