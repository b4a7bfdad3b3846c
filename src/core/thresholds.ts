import { parseDurationMs } from "./duration.ts";
import type { TrendStats } from "./recorder.ts";
import type { Sample, SampleMetric } from "./samples.ts";

export type MetricType = "trend" | "rate" | "counter";

/** A metric thresholds can name: the samples it reads and how it aggregates them. */
export interface ThresholdMetric {
  type: MetricType;
  source: SampleMetric;
  /** Factor from the sample's unit (ms for durations) to the metric's own unit. */
  scale: number;
  /** Counts each sample as 1 instead of adding its value. */
  countSamples?: boolean;
}

const trend = (source: SampleMetric, scale = 1): ThresholdMetric => ({
  type: "trend",
  source,
  scale,
});
const counter = (source: SampleMetric, countSamples = false): ThresholdMetric => ({
  type: "counter",
  source,
  scale: 1,
  countSamples,
});

/**
 * Metrics that thresholds can name. k6's names take k6's units (durations in ms); the
 * `harness_*` names take the Prometheus metric's own unit (seconds, counts).
 */
export const THRESHOLD_METRICS: Readonly<Record<string, ThresholdMetric>> = {
  http_req_duration: trend("http_req_duration"),
  http_req_failed: { type: "rate", source: "http_req_failed", scale: 1 },
  http_reqs: counter("http_reqs"),
  data_sent: counter("data_sent"),
  data_received: counter("data_received"),
  iteration_duration: trend("iteration_duration"),
  iteration_latency: trend("iteration_latency"),
  iterations: counter("iterations"),
  dropped_iterations: counter("dropped_iterations"),
  checks: { type: "rate", source: "checks", scale: 1 },
  group_duration: trend("group_duration"),
  harness_http_request_duration_seconds: trend("http_req_duration", 0.001),
  harness_http_requests_total: counter("http_reqs"),
  harness_http_request_failures_total: counter("http_req_failed"),
  harness_http_sent_bytes_total: counter("data_sent"),
  harness_http_received_bytes_total: counter("data_received"),
  harness_scenario_duration_seconds: trend("iteration_duration", 0.001),
  harness_scenario_latency_seconds: trend("iteration_latency", 0.001),
  harness_scenario_start_lag_seconds: trend("iteration_start_lag", 0.001),
  harness_scenario_attempted_total: counter("iterations_attempted"),
  harness_scenario_started_total: counter("iterations_started"),
  harness_scenario_completed_total: counter("iteration_duration", true),
  harness_compositor_idle_starvation_total: counter("dropped_iterations"),
};

const AGGREGATIONS: Record<MetricType, readonly string[]> = {
  trend: ["avg", "min", "max", "med", "p(N)", "count"],
  rate: ["rate"],
  counter: ["count", "rate"],
};

export type Operator = "<" | "<=" | ">" | ">=" | "==" | "===" | "!=";

/** One parsed threshold of a file's `options.thresholds`. */
export interface ThresholdSpec {
  /** The key as written, with its selector: `http_req_duration{name:login}`. */
  key: string;
  metric: string;
  selector: Readonly<Record<string, string>>;
  /** The expression as written: `p(95)<500 over 1m`. */
  expression: string;
  aggregation: string;
  /** Percentile of `p(N)`, 0 to 100. */
  percentile: number | undefined;
  operator: Operator;
  limit: number;
  /** Sliding window: only samples of the last `windowMs` count (default: the whole run). */
  windowMs: number | undefined;
  abortOnFail: boolean;
  /** Time from the start before `abortOnFail` is checked, in ms (default 0). */
  delayAbortEvalMs: number;
}

const KEY_PATTERN = /^([A-Za-z_][A-Za-z0-9_]*)(?:\{(.*)\})?$/;
const EXPRESSION_PATTERN =
  /^(avg|min|max|med|count|rate|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?:\s+over\s+(\S+))?$/;

/**
 * Parses a threshold key such as `http_req_duration{name:login,method:GET}`.
 *
 * @throws {SyntaxError} when the key or its selector cannot be parsed.
 * @throws {RangeError} when the metric is not one thresholds can name.
 */
export function parseThresholdKey(key: string): {
  metric: string;
  selector: Record<string, string>;
} {
  const match = KEY_PATTERN.exec(key.trim());
  if (!match) {
    throw new SyntaxError(
      `invalid threshold key "${key}": use a metric name, optionally with a selector such as ` +
        "http_req_duration{name:login}",
    );
  }
  const metric = match[1]!;
  if (!THRESHOLD_METRICS[metric]) {
    throw new RangeError(
      `unknown metric "${metric}" in threshold key "${key}"; known metrics: ` +
        Object.keys(THRESHOLD_METRICS).join(", "),
    );
  }
  const selector: Record<string, string> = {};
  if (match[2] !== undefined) {
    for (const part of match[2].split(",")) {
      const index = part.indexOf(":");
      const tag = part.slice(0, index).trim();
      const value = part.slice(index + 1).trim();
      if (index <= 0 || tag === "" || value === "") {
        throw new SyntaxError(
          `invalid selector "${part.trim()}" in threshold key "${key}": use tag:value pairs ` +
            "separated by commas",
        );
      }
      selector[tag] = value;
    }
  }
  return { metric, selector };
}

/**
 * Parses one threshold expression (`p(95)<500`, `rate<0.01`, `count>=10 over 30s`) for a
 * metric of `type`.
 *
 * @throws {SyntaxError} when the expression cannot be parsed.
 * @throws {RangeError} when the aggregation does not apply to the metric's type, the
 *   percentile is outside 0 to 100 or the window is not positive.
 */
export function parseThresholdExpression(
  expression: string,
  metric: string,
  type: MetricType,
): Pick<ThresholdSpec, "aggregation" | "percentile" | "operator" | "limit" | "windowMs"> {
  const match = EXPRESSION_PATTERN.exec(expression.trim());
  if (!match) {
    throw new SyntaxError(
      `invalid threshold "${expression}" on ${metric}: use AGGREGATION OPERATOR NUMBER, such as ` +
        '"p(95)<500", "avg<200", "rate<0.01" or "count>100", optionally followed by "over 1m"',
    );
  }
  const isPercentile = match[2] !== undefined;
  const aggregation = isPercentile ? "p(N)" : match[1]!;
  if (!AGGREGATIONS[type].includes(aggregation)) {
    throw new RangeError(
      `threshold "${expression}" uses ${match[1]} on ${metric}, a ${type}; ` +
        `a ${type} takes ${AGGREGATIONS[type].join(", ")}`,
    );
  }
  const percentile = isPercentile ? Number(match[2]) : undefined;
  if (percentile !== undefined && percentile > 100) {
    throw new RangeError(`threshold "${expression}": the percentile must be 0 to 100`);
  }
  let windowMs: number | undefined;
  if (match[5] !== undefined) {
    try {
      windowMs = parseDurationMs(match[5]);
    } catch (error) {
      throw new SyntaxError(`threshold "${expression}": ${(error as Error).message}`);
    }
    if (windowMs <= 0) {
      throw new RangeError(`threshold "${expression}": the window after "over" must be positive`);
    }
  }
  return {
    aggregation: isPercentile ? "p" : aggregation,
    percentile,
    operator: match[3] as Operator,
    limit: Number(match[4]),
    windowMs,
  };
}

/**
 * Parses a file's `options.thresholds`: each key maps to an expression, an object
 * `{ threshold, abortOnFail, delayAbortEval }`, or an array of either. Every problem is
 * passed to `fail` with its option path; the valid thresholds are returned.
 */
export function parseThresholds(
  thresholds: Record<string, unknown>,
  fail: (path: string, message: string) => void,
): ThresholdSpec[] {
  const specs: ThresholdSpec[] = [];
  for (const [key, value] of Object.entries(thresholds)) {
    const keyPath = `options.thresholds[${JSON.stringify(key)}]`;
    let parsedKey: ReturnType<typeof parseThresholdKey>;
    try {
      parsedKey = parseThresholdKey(key);
    } catch (error) {
      fail(keyPath, (error as Error).message);
      continue;
    }
    const type = THRESHOLD_METRICS[parsedKey.metric]!.type;
    const entries = Array.isArray(value) ? value : [value];
    entries.forEach((entry, index) => {
      const path = Array.isArray(value) ? `${keyPath}[${index}]` : keyPath;
      const spec = parseEntry(entry, key, parsedKey, type, (message) => fail(path, message));
      if (spec) specs.push(spec);
    });
  }
  return specs;
}

function parseEntry(
  entry: unknown,
  key: string,
  parsedKey: { metric: string; selector: Record<string, string> },
  type: MetricType,
  fail: (message: string) => void,
): ThresholdSpec | undefined {
  let expression: unknown = entry;
  let abortOnFail = false;
  let delayAbortEvalMs = 0;
  if (typeof entry === "object" && entry !== null) {
    const fields = entry as Record<string, unknown>;
    const unknown = Object.keys(fields).filter(
      (name) => !["threshold", "abortOnFail", "delayAbortEval"].includes(name),
    );
    if (unknown.length > 0) {
      fail(`unknown field(s) ${unknown.join(", ")}; use threshold, abortOnFail, delayAbortEval`);
      return undefined;
    }
    expression = fields.threshold;
    if (fields.abortOnFail !== undefined && typeof fields.abortOnFail !== "boolean") {
      fail(`abortOnFail must be true or false, got ${JSON.stringify(fields.abortOnFail)}`);
      return undefined;
    }
    abortOnFail = fields.abortOnFail === true;
    if (fields.delayAbortEval !== undefined) {
      try {
        delayAbortEvalMs = parseDurationMs(fields.delayAbortEval);
      } catch (error) {
        fail(`delayAbortEval: ${(error as Error).message}`);
        return undefined;
      }
    }
  }
  if (typeof expression !== "string") {
    fail(
      `must be an expression string or { threshold, abortOnFail, delayAbortEval }, got ` +
        JSON.stringify(entry),
    );
    return undefined;
  }
  try {
    const parsed = parseThresholdExpression(expression, parsedKey.metric, type);
    return {
      key,
      ...parsedKey,
      expression: expression.trim(),
      ...parsed,
      abortOnFail,
      delayAbortEvalMs,
    };
  } catch (error) {
    fail((error as Error).message);
    return undefined;
  }
}

/** Compares `observed` with the threshold's limit. */
export function compare(observed: number, operator: Operator, limit: number): boolean {
  switch (operator) {
    case "<":
      return observed < limit;
    case "<=":
      return observed <= limit;
    case ">":
      return observed > limit;
    case ">=":
      return observed >= limit;
    case "!=":
      return observed !== limit;
    default:
      return observed === limit;
  }
}

/** Builds the label of a threshold in `harness_threshold_passing` and in the summary. */
export function thresholdLabel(spec: Pick<ThresholdSpec, "key" | "expression">): string {
  return `${spec.key} ${spec.expression}`;
}

export interface TrendStore {
  record(value: number): void;
  stats(): TrendStats | null;
}

export interface ThresholdResult {
  spec: ThresholdSpec;
  label: string;
  /** File whose options declared the threshold. */
  file: string;
  /** The aggregated value, or null when the metric contains no sample yet. */
  observed: number | null;
  /** True when the threshold holds; a trend or rate with no sample passes. */
  passing: boolean;
}

/** Aggregates over all samples since the start. */
class RunAggregate {
  #trend: TrendStore | undefined;
  #sum = 0;
  #count = 0;

  constructor(
    private readonly metric: ThresholdMetric,
    createTrend: () => TrendStore,
  ) {
    if (metric.type === "trend") this.#trend = createTrend();
  }

  add(value: number): void {
    this.#count++;
    this.#sum += this.metric.countSamples ? 1 : value;
    this.#trend?.record(value);
  }

  value(spec: ThresholdSpec, elapsedMs: number): number | null {
    return aggregate(this.metric, spec, {
      count: this.#count,
      sum: this.#sum,
      spanMs: elapsedMs,
      trend: () => this.#trend?.stats() ?? null,
    });
  }
}

/**
 * Aggregates over the samples of the last `windowMs`; keeps each sample until it leaves.
 * NOTE: memory grows with the samples in one window (about 16 bytes each, so 1m at
 * 10,000 samples/s holds about 10 MB); per-second histograms would bound it.
 */
class WindowAggregate {
  #times: number[] = [];
  #values: number[] = [];
  #head = 0;

  constructor(
    private readonly metric: ThresholdMetric,
    private readonly windowMs: number,
  ) {}

  add(value: number, timeMs: number): void {
    this.#times.push(timeMs);
    this.#values.push(value);
  }

  value(spec: ThresholdSpec, elapsedMs: number, nowMs: number): number | null {
    this.#prune(nowMs - this.windowMs);
    const values = this.#values.slice(this.#head);
    let sum = 0;
    for (const value of values) sum += this.metric.countSamples ? 1 : value;
    return aggregate(this.metric, spec, {
      count: values.length,
      sum,
      spanMs: Math.min(this.windowMs, elapsedMs),
      trend: () => sortedStats(values),
    });
  }

  #prune(oldestMs: number): void {
    while (this.#head < this.#times.length && this.#times[this.#head]! < oldestMs) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#values = this.#values.slice(this.#head);
      this.#head = 0;
    }
  }
}

function aggregate(
  metric: ThresholdMetric,
  spec: ThresholdSpec,
  data: { count: number; sum: number; spanMs: number; trend: () => TrendStats | null },
): number | null {
  if (metric.type === "counter") {
    if (spec.aggregation === "count") return data.sum;
    return data.spanMs > 0 ? data.sum / (data.spanMs / 1000) : 0;
  }
  if (data.count === 0) return null;
  if (metric.type === "rate") return data.sum / data.count;
  if (spec.aggregation === "count") return data.count;
  const stats = data.trend();
  if (!stats) return null;
  const value =
    spec.aggregation === "p"
      ? stats.percentile(spec.percentile!)
      : stats[spec.aggregation as "avg"];
  return value * metric.scale;
}

/** Exact statistics of a small list of values, for windowed thresholds. */
function sortedStats(values: number[]): TrendStats | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const percentile = (p: number) => {
    if (p <= 0) return sorted[0]!;
    const rank = Math.ceil((p / 100) * sorted.length) - 1;
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
  };
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    avg: sum / sorted.length,
    min: sorted[0]!,
    med: percentile(50),
    p90: percentile(90),
    p95: percentile(95),
    p99: percentile(99),
    max: sorted[sorted.length - 1]!,
    percentile,
  };
}

interface Tracked {
  spec: ThresholdSpec;
  file: string;
  metric: ThresholdMetric;
  scenarios: ReadonlySet<string>;
  run: RunAggregate | undefined;
  window: WindowAggregate | undefined;
}

/** The thresholds of one file, with the names of that file's scenarios, which they watch. */
export interface ThresholdGroup {
  file: string;
  specs: ThresholdSpec[];
  scenarios: ReadonlySet<string>;
}

/**
 * Evaluates thresholds over samples. Each threshold reads only the samples of its own
 * file's scenarios whose tags match its selector.
 */
export class ThresholdSet {
  readonly #tracked: Tracked[] = [];

  constructor(groups: ThresholdGroup[], createTrend: () => TrendStore) {
    for (const group of groups) {
      for (const spec of group.specs) {
        const metric = THRESHOLD_METRICS[spec.metric]!;
        this.#tracked.push({
          spec,
          file: group.file,
          metric,
          scenarios: group.scenarios,
          run: spec.windowMs === undefined ? new RunAggregate(metric, createTrend) : undefined,
          window:
            spec.windowMs === undefined ? undefined : new WindowAggregate(metric, spec.windowMs),
        });
      }
    }
  }

  get size(): number {
    return this.#tracked.length;
  }

  /** Sample metrics the thresholds read, to subscribe to. */
  get sources(): SampleMetric[] {
    return [...new Set(this.#tracked.map((tracked) => tracked.metric.source))];
  }

  observe(sample: Sample): void {
    for (const tracked of this.#tracked) {
      if (tracked.metric.source !== sample.metric) continue;
      if (!tracked.scenarios.has(sample.tags.scenario ?? "")) continue;
      if (!matches(tracked.spec.selector, sample.tags)) continue;
      tracked.run?.add(sample.value);
      tracked.window?.add(sample.value, sample.timeMs);
    }
  }

  /** Evaluates every threshold at run-clock time `nowMs`, `elapsedMs` after the start. */
  evaluate(nowMs: number, elapsedMs: number): ThresholdResult[] {
    return this.#tracked.map(({ spec, file, run, window }) => {
      const observed = run ? run.value(spec, elapsedMs) : window!.value(spec, elapsedMs, nowMs);
      const passing = observed === null || compare(observed, spec.operator, spec.limit);
      return { spec, file, label: thresholdLabel(spec), observed, passing };
    });
  }
}

function matches(
  selector: Readonly<Record<string, string>>,
  tags: Readonly<Record<string, string>>,
) {
  for (const tag in selector) if (tags[tag] !== selector[tag]) return false;
  return true;
}
