import type {
  CancellationSource,
  HarnessErrorKind,
  HttpFailureKind,
  IterationStatus,
} from "./types.ts";

/** Statistics of one trend in milliseconds, or null when it contains no sample. */
export interface TrendStats {
  count: number;
  avg: number;
  min: number;
  med: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  /** Any percentile, 0 to 100. */
  percentile(p: number): number;
}

export interface ScenarioTrends {
  service: TrendStats | null;
  startLag: TrendStats | null;
  latency: TrendStats | null;
  http: TrendStats | null;
}

/** One finished HTTP request, from `ctx.fetch` or `ctx.http`. */
export interface HttpSample {
  method: string;
  /** HTTP status, or 0 when the request failed before a response. */
  status: number;
  name: string;
  durationMs: number;
  sentBytes: number;
  receivedBytes: number;
  /** Set when the request counts as failed. */
  failure: HttpFailureKind | undefined;
  /** The request's own tags (`params.tags`), for thresholds and outputs; never a label. */
  tags?: Readonly<Record<string, string>>;
}

/** Metric updates of one scenario, bound to its label values once. */
export interface ScenarioRecorder {
  /** Counts `count` (default 1) attempted arrivals. */
  attempted(count?: number): void;
  /** Counts `count` (default 1) arrivals dropped for want of a player. */
  starved(count?: number): void;
  started(startLagMs: number): void;
  completed(status: IterationStatus, serviceMs: number, latencyMs: number): void;
  desiredRate(arrivalsPerSec: number): void;
  /** Records one check result; `tags` (its group) reach samples, not metric labels. */
  check(name: string, passed: boolean, tags?: Readonly<Record<string, string>>): void;
  /** Records the duration of one `ctx.group` call, for samples (optional). */
  groupEnded?(group: string, durationMs: number): void;
  http(sample: HttpSample): void;
  /** Iteration service time, start lag, latency from the planned start and HTTP durations, in ms. */
  trends(): ScenarioTrends;
  checks(): Array<{ name: string; passes: number; fails: number }>;
  httpTotals(): { requests: number; failures: number };
}

/** Everything the core measures; `src/metrics/` implements it with prom-client. */
export interface Recorder {
  /** Creates (or returns) the scenario's series, all at 0 until its first event. */
  scenario(name: string): ScenarioRecorder;
  playerCreated(): void;
  poolExecuteWait(waitMs: number): void;
  /** Sets the sampled gauges: busy players, idle queue length and running iterations. */
  poolSample(sample: { activePlayers: number; idleDepth: number; inflight: number }): void;
  poolTick(durationMs: number): void;
  poolIdleCapacity(capacity: number): void;
  compositorTick(durationMs: number, lagMs: number): void;
  eventLoopLag(lagMs: number): void;
  cancellation(source: CancellationSource): void;
  error(kind: HarnessErrorKind): void;
  /** Sets whether the threshold labelled `threshold` passes at its latest evaluation. */
  thresholdPassing(threshold: string, passing: boolean): void;
}
