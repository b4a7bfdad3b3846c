import type { Recorder } from "./recorder.ts";
import type { Clock, Logger } from "./types.ts";

/** Lag above which a sample counts as saturated, in ms. */
const SATURATED_LAG_MS = 50;
/** Consecutive saturated samples before the warning. */
const SATURATED_SAMPLES = 20;

/**
 * Measures event-loop lag with the harness's own timer: how much later than asked each
 * timer fires. prom-client's event-loop monitor relies on `perf_hooks`, which not every
 * runtime implements, so this works the same on all three. When the lag stays high it
 * warns once that the load generator is saturated.
 */
export class LoopMonitor {
  #timer: unknown;
  #expectedMs = 0;
  #saturatedSamples = 0;
  #warned = false;

  constructor(
    private readonly clock: Clock,
    private readonly recorder: Recorder,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.#arm();
  }

  stop(): void {
    this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    this.#expectedMs = this.clock.nowMs() + this.intervalMs;
    this.#timer = this.clock.setTimer(() => this.#sample(), this.intervalMs);
  }

  #sample(): void {
    const lagMs = Math.max(0, this.clock.nowMs() - this.#expectedMs);
    this.recorder.eventLoopLag(lagMs);
    this.#saturatedSamples = lagMs > SATURATED_LAG_MS ? this.#saturatedSamples + 1 : 0;
    if (this.#saturatedSamples >= SATURATED_SAMPLES && !this.#warned) {
      this.#warned = true;
      this.logger.warn(
        `event-loop lag stayed above ${SATURATED_LAG_MS} ms for ${SATURATED_SAMPLES} samples: ` +
          "the load generator itself is saturated and its figures understate the target. " +
          "Lower the rate or the work per iteration, or spread the load over several instances",
      );
    }
    this.#arm();
  }
}
