import type { HttpSample, ScenarioRecorder, ScenarioTrends } from "./recorder.ts";
import type { Clock, IterationStatus } from "./types.ts";

/**
 * Names of the per-sample metrics, as k6 names them. Durations are in milliseconds, as k6
 * reports them; `iteration_latency` (from the planned start) and `iteration_start_lag` are
 * the harness's own additions.
 */
export const SAMPLE_METRICS = [
  "http_req_duration",
  "http_req_failed",
  "http_reqs",
  "data_sent",
  "data_received",
  "iteration_duration",
  "iteration_latency",
  "iteration_start_lag",
  "iterations",
  "iterations_attempted",
  "iterations_started",
  "dropped_iterations",
  "checks",
  "group_duration",
] as const;
export type SampleMetric = (typeof SAMPLE_METRICS)[number];

export type SampleTags = Readonly<Record<string, string>>;

/** One measurement: a duration in ms, a 0 or 1 of a rate, or a counter increment. */
export interface Sample {
  metric: SampleMetric;
  value: number;
  /** Run-clock time in ms. */
  timeMs: number;
  tags: SampleTags;
}

export type SampleListener = (sample: Sample) => void;

/**
 * Delivers samples to listeners (thresholds, the JSON output). Each listener names the
 * metrics it wants, so a run that listens to none builds no sample at all.
 */
export class SampleBus {
  readonly #listeners = new Map<SampleMetric, SampleListener[]>();

  subscribe(metrics: Iterable<SampleMetric>, listener: SampleListener): void {
    for (const metric of new Set(metrics)) {
      const list = this.#listeners.get(metric) ?? [];
      list.push(listener);
      this.#listeners.set(metric, list);
    }
  }

  get active(): boolean {
    return this.#listeners.size > 0;
  }

  wants(metric: SampleMetric): boolean {
    return this.#listeners.has(metric);
  }

  emit(sample: Sample): void {
    const listeners = this.#listeners.get(sample.metric);
    if (!listeners) return;
    for (const listener of listeners) listener(sample);
  }
}

const COMPLETION_METRICS: readonly SampleMetric[] = [
  "iteration_duration",
  "iteration_latency",
  "iterations",
];
const HTTP_METRICS: readonly SampleMetric[] = [
  "http_reqs",
  "http_req_duration",
  "http_req_failed",
  "data_sent",
  "data_received",
];

/**
 * A scenario recorder that also turns each event into samples on `bus`, tagged with the
 * scenario's name and its `tags` option. Everything else goes to `inner` unchanged.
 */
export class TappedScenarioRecorder implements ScenarioRecorder {
  readonly #baseTags: SampleTags;

  constructor(
    readonly inner: ScenarioRecorder,
    private readonly bus: SampleBus,
    private readonly clock: Clock,
    scenario: string,
    tags: Record<string, string>,
  ) {
    this.#baseTags = { ...tags, scenario };
  }

  /** True when a listener wants one of `metrics`, so tags are built only when needed. */
  #wantsAny(metrics: readonly SampleMetric[]): boolean {
    for (const metric of metrics) if (this.bus.wants(metric)) return true;
    return false;
  }

  #emit(metric: SampleMetric, value: number, tags: SampleTags = this.#baseTags): void {
    if (!this.bus.wants(metric)) return;
    this.bus.emit({ metric, value, timeMs: this.clock.nowMs(), tags });
  }

  attempted(count = 1): void {
    this.inner.attempted(count);
    this.#emit("iterations_attempted", count);
  }

  starved(count = 1): void {
    this.inner.starved(count);
    this.#emit("dropped_iterations", count);
  }

  started(startLagMs: number): void {
    this.inner.started(startLagMs);
    this.#emit("iterations_started", 1);
    this.#emit("iteration_start_lag", startLagMs);
  }

  completed(status: IterationStatus, serviceMs: number, latencyMs: number): void {
    this.inner.completed(status, serviceMs, latencyMs);
    if (!this.#wantsAny(COMPLETION_METRICS)) return;
    const tags = { ...this.#baseTags, status };
    this.#emit("iteration_duration", serviceMs, tags);
    this.#emit("iteration_latency", latencyMs, tags);
    // As in k6, an iteration cut by a stop does not count as an iteration.
    if (status !== "cancelled") this.#emit("iterations", 1, tags);
  }

  desiredRate(arrivalsPerSec: number): void {
    this.inner.desiredRate(arrivalsPerSec);
  }

  check(name: string, passed: boolean, tags?: Readonly<Record<string, string>>): void {
    this.inner.check(name, passed);
    if (!this.bus.wants("checks")) return;
    this.#emit("checks", passed ? 1 : 0, { ...tags, ...this.#baseTags, check: name });
  }

  groupEnded(group: string, durationMs: number): void {
    if (!this.bus.wants("group_duration")) return;
    this.#emit("group_duration", durationMs, { ...this.#baseTags, group });
  }

  http(sample: HttpSample): void {
    this.inner.http(sample);
    if (!this.#wantsAny(HTTP_METRICS)) return;
    const tags: Record<string, string> = {
      ...sample.tags,
      ...this.#baseTags,
      method: sample.method,
      status: String(sample.status),
      name: sample.name,
      expected_response: String(sample.failure === undefined),
    };
    if (sample.failure) tags.error_kind = sample.failure;
    this.#emit("http_reqs", 1, tags);
    this.#emit("http_req_duration", sample.durationMs, tags);
    this.#emit("http_req_failed", sample.failure ? 1 : 0, tags);
    this.#emit("data_sent", sample.sentBytes, tags);
    this.#emit("data_received", sample.receivedBytes, tags);
  }

  trends(): ScenarioTrends {
    return this.inner.trends();
  }

  checks(): Array<{ name: string; passes: number; fails: number }> {
    return this.inner.checks();
  }

  httpTotals(): { requests: number; failures: number } {
    return this.inner.httpTotals();
  }
}
