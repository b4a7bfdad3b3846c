import type { Counter, Histogram } from "prom-client";
import type { HttpSample, Recorder, ScenarioRecorder, ScenarioTrends } from "../core/recorder.ts";
import type { CancellationSource, HarnessErrorKind, IterationStatus } from "../core/types.ts";
import { BatchedCounter } from "./batched-counter.ts";
import { HarnessMetrics, ITERATION_STATUSES } from "./registry.ts";
import { Trend } from "./trend.ts";
import { msToSeconds } from "./units.ts";

type CounterChild = Counter.Internal;
type HistogramChild = Histogram.Internal<string>;

/** Label children of one request series, bound once per method, status and name. */
interface HttpSeries {
  requests: BatchedCounter;
  duration: HistogramChild;
}

/**
 * Records one scenario into prom-client and into exact trends. Label children are bound
 * once here and counters are batched (see `BatchedCounter`), because prom-client hashes
 * the label values on every update.
 */
class PromScenarioRecorder implements ScenarioRecorder {
  readonly #attempted: BatchedCounter;
  readonly #started: BatchedCounter;
  readonly #starved: BatchedCounter;
  readonly #startLag: HistogramChild;
  readonly #duration: HistogramChild;
  readonly #completed: Record<IterationStatus, BatchedCounter>;
  readonly #sentBytes: BatchedCounter;
  readonly #receivedBytes: BatchedCounter;
  readonly #http = new Map<string, HttpSeries>();
  readonly #failures = new Map<string, BatchedCounter>();
  /** Every batched counter of this scenario, flushed before the metrics are read. */
  readonly #batched: BatchedCounter[] = [];
  readonly #checks = new Map<string, { passes: number; fails: number }>();
  readonly #service = new Trend();
  readonly #latency = new Trend();
  readonly #startLagTrend = new Trend();
  readonly #httpDuration = new Trend();
  #requests = 0;
  #failed = 0;

  constructor(
    private readonly metrics: HarnessMetrics,
    readonly name: string,
  ) {
    const scenario = { scenario: name };
    this.#attempted = this.#batch(metrics.scenarioAttempted.labels(scenario));
    this.#started = this.#batch(metrics.scenarioStarted.labels(scenario));
    this.#starved = this.#batch(metrics.compositorIdleStarvation.labels(scenario));
    this.#startLag = metrics.scenarioStartLag.labels(scenario);
    this.#duration = metrics.scenarioDuration.labels(scenario);
    this.#sentBytes = this.#batch(metrics.httpSentBytes.labels(scenario));
    this.#receivedBytes = this.#batch(metrics.httpReceivedBytes.labels(scenario));
    const completed = (status: IterationStatus) =>
      this.#batch(metrics.scenarioCompleted.labels({ scenario: name, status }));
    this.#completed = {
      success: completed("success"),
      failure: completed("failure"),
      cancelled: completed("cancelled"),
    };
    this.#zero();
    metrics.beforeCollect(() => {
      for (const counter of this.#batched) counter.flush();
    });
  }

  #batch(child: CounterChild): BatchedCounter {
    const counter = new BatchedCounter(child);
    this.#batched.push(counter);
    return counter;
  }

  /** Creates every scenario series at 0, so dashboards and rate() see them before the first event. */
  #zero(): void {
    const scenario = { scenario: this.name };
    for (const counter of [
      this.#attempted,
      this.#started,
      this.#starved,
      this.#sentBytes,
      this.#receivedBytes,
    ]) {
      counter.child.inc(0);
    }
    for (const status of ITERATION_STATUSES) this.#completed[status].child.inc(0);
    this.metrics.scenarioStartLag.zero(scenario);
    this.metrics.scenarioDuration.zero(scenario);
    this.metrics.compositorDesiredRate.set(scenario, 0);
  }

  attempted(count = 1): void {
    this.#attempted.inc(count);
  }

  starved(count = 1): void {
    this.#starved.inc(count);
  }

  // TODO: each histogram observe costs about 1.3 us on Node 20, because prom-client hashes
  // and validates the labels on every call. Bucket arrays kept here and handed to prom-client
  // at collect time, as the counters are, would remove that.
  started(startLagMs: number): void {
    this.#started.inc();
    this.#startLag.observe(msToSeconds(startLagMs));
    this.#startLagTrend.record(startLagMs);
  }

  completed(status: IterationStatus, serviceMs: number, latencyMs: number): void {
    this.#completed[status].inc();
    this.#duration.observe(msToSeconds(serviceMs));
    this.#service.record(serviceMs);
    this.#latency.record(latencyMs);
  }

  desiredRate(arrivalsPerSec: number): void {
    this.metrics.compositorDesiredRate.set({ scenario: this.name }, arrivalsPerSec);
  }

  check(name: string, passed: boolean): void {
    let tally = this.#checks.get(name);
    if (!tally) {
      tally = { passes: 0, fails: 0 };
      this.#checks.set(name, tally);
    }
    if (passed) tally.passes++;
    else tally.fails++;
    this.metrics.checks.inc({ scenario: this.name, check: name, result: passed ? "pass" : "fail" });
  }

  http(sample: HttpSample): void {
    const status = String(sample.status);
    const key = `${sample.method} ${status} ${sample.name}`;
    let series = this.#http.get(key);
    if (!series) {
      const labels = { scenario: this.name, method: sample.method, status, name: sample.name };
      series = {
        requests: this.#batch(this.metrics.httpRequests.labels(labels)),
        duration: this.metrics.httpRequestDuration.labels(labels),
      };
      this.#http.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(msToSeconds(sample.durationMs));
    this.#sentBytes.inc(sample.sentBytes);
    this.#receivedBytes.inc(sample.receivedBytes);
    this.#httpDuration.record(sample.durationMs);
    this.#requests++;
    if (sample.failure) {
      this.#failed++;
      this.#failure(sample.name, sample.failure).inc();
    }
  }

  #failure(name: string, kind: string): BatchedCounter {
    const key = `${kind} ${name}`;
    let counter = this.#failures.get(key);
    if (!counter) {
      counter = this.#batch(
        this.metrics.httpRequestFailures.labels({ scenario: this.name, name, kind }),
      );
      this.#failures.set(key, counter);
    }
    return counter;
  }

  trends(): ScenarioTrends {
    return {
      startLag: this.#startLagTrend.stats(),
      service: this.#service.stats(),
      latency: this.#latency.stats(),
      http: this.#httpDuration.stats(),
    };
  }

  checks(): Array<{ name: string; passes: number; fails: number }> {
    return [...this.#checks].map(([name, tally]) => ({ name, ...tally }));
  }

  httpTotals(): { requests: number; failures: number } {
    return { requests: this.#requests, failures: this.#failed };
  }

  /** The exact trends themselves, for the summary's merged totals. */
  exactTrends(): { service: Trend; startLag: Trend; latency: Trend; http: Trend } {
    return {
      service: this.#service,
      startLag: this.#startLagTrend,
      latency: this.#latency,
      http: this.#httpDuration,
    };
  }

  /** The exact trends, for exports that merge summaries of several instances. */
  encodedTrends(): Record<string, string> {
    return {
      service: this.#service.encode(),
      latency: this.#latency.encode(),
      http: this.#httpDuration.encode(),
    };
  }
}

/** The core's `Recorder`, backed by `HarnessMetrics`. */
export class PromRecorder implements Recorder {
  readonly #scenarios = new Map<string, PromScenarioRecorder>();
  readonly #cancellations: Record<CancellationSource, CounterChild>;
  readonly #executeWait: HistogramChild;
  readonly #playersTotal: CounterChild;

  constructor(readonly metrics: HarnessMetrics) {
    this.#cancellations = {
      shutdown: metrics.cancellations.labels({ source: "shutdown" }),
      timeout: metrics.cancellations.labels({ source: "timeout" }),
      operator: metrics.cancellations.labels({ source: "operator" }),
      reload: metrics.cancellations.labels({ source: "reload" }),
    };
    this.#executeWait = metrics.poolExecuteWait.labels({});
    this.#playersTotal = metrics.playersTotal.labels({});
  }

  /** Returns the scenario's recorder; a reload of the same name reuses its series. */
  scenario(name: string): PromScenarioRecorder {
    let recorder = this.#scenarios.get(name);
    if (!recorder) {
      recorder = new PromScenarioRecorder(this.metrics, name);
      this.#scenarios.set(name, recorder);
    }
    return recorder;
  }

  playerCreated(): void {
    this.#playersTotal.inc();
  }

  poolExecuteWait(waitMs: number): void {
    this.#executeWait.observe(msToSeconds(waitMs));
  }

  poolSample(sample: { activePlayers: number; idleDepth: number; inflight: number }): void {
    this.metrics.playersActive.set(sample.activePlayers);
    this.metrics.poolIdleQueueDepth.set(sample.idleDepth);
    this.metrics.inflightIterations.set(sample.inflight);
  }

  poolTick(durationMs: number): void {
    this.metrics.poolTickDuration.observe(msToSeconds(durationMs));
  }

  poolIdleCapacity(capacity: number): void {
    this.metrics.poolIdleCapacity.set(capacity);
  }

  compositorTick(durationMs: number, lagMs: number): void {
    this.metrics.compositorTickDuration.observe(msToSeconds(durationMs));
    this.metrics.compositorTickLag.observe(msToSeconds(lagMs));
  }

  eventLoopLag(lagMs: number): void {
    this.metrics.eventLoopLag.observe(msToSeconds(lagMs));
  }

  cancellation(source: CancellationSource): void {
    this.#cancellations[source].inc();
  }

  error(kind: HarnessErrorKind): void {
    this.metrics.errors.inc({ kind });
  }

  thresholdPassing(threshold: string, passing: boolean): void {
    this.metrics.thresholdPassing.set({ threshold }, passing ? 1 : 0);
  }
}
