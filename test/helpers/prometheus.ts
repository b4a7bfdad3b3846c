import parsePrometheusTextFormat from "parse-prometheus-text-format";

export interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value?: string; count?: string; labels?: Record<string, string> }>;
}

/** Parses a Prometheus text exposition into metric families. */
export function parseExposition(text: string): Family[] {
  return parsePrometheusTextFormat(text) as Family[];
}

/** One sample line of the exposition: `name{labels} value`. */
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Sum of the samples named `name` whose labels include `labels`. For a histogram, pass the
 * family name to sum its `_count` samples. Read from the text itself, because
 * parse-prometheus-text-format merges labelled histogram series into one.
 */
export function sampleTotal(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = parseExposition(text).find((entry) => entry.name === name);
  if (!family) throw new Error(`metric ${name} missing from the exposition`);
  const sampleName = family.type === "HISTOGRAM" ? `${name}_count` : name;
  let total = 0;
  for (const line of text.split("\n")) {
    const match = SAMPLE_LINE.exec(line);
    if (!match || match[1] !== sampleName) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(LABEL_PAIR)) found[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([key, value]) => found[key] === value))
      total += Number(match[3]);
  }
  return total;
}

/** Sum of a counter's or gauge's samples matching `labels`, from parsed families. */
export function familyTotal(
  families: Family[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = families.find((entry) => entry.name === name);
  if (!family) throw new Error(`metric ${name} missing from the exposition`);
  let total = 0;
  for (const sample of family.metrics) {
    const matches = Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value);
    if (matches) total += Number(sample.value ?? sample.count ?? 0);
  }
  return total;
}

/** The metric table of the design: every name that `/metrics` must list. */
export const DESIGN_METRICS = [
  "harness_players_total",
  "harness_players_active",
  "harness_pool_idle_queue_depth",
  "harness_pool_idle_capacity",
  "harness_pool_execute_wait_duration_seconds",
  "harness_pool_tick_duration_seconds",
  "harness_compositor_desired_rate",
  "harness_compositor_idle_starvation_total",
  "harness_compositor_tick_duration_seconds",
  "harness_compositor_tick_lag_seconds",
  "harness_scenario_start_lag_seconds",
  "harness_scenario_attempted_total",
  "harness_scenario_started_total",
  "harness_scenario_completed_total",
  "harness_scenario_duration_seconds",
  "harness_cancellations_total",
  "harness_errors_total",
  "harness_inflight_iterations",
  "harness_event_loop_lag_seconds",
  "harness_http_requests_total",
  "harness_http_request_duration_seconds",
  "harness_http_request_failures_total",
  "harness_http_sent_bytes_total",
  "harness_http_received_bytes_total",
];

/** Metrics with a `scenario` label whose series exist from the moment a scenario loads. */
export const SCENARIO_SERIES = [
  "harness_compositor_desired_rate",
  "harness_compositor_idle_starvation_total",
  "harness_scenario_start_lag_seconds",
  "harness_scenario_attempted_total",
  "harness_scenario_started_total",
  "harness_scenario_completed_total",
  "harness_scenario_duration_seconds",
  "harness_http_sent_bytes_total",
  "harness_http_received_bytes_total",
];
