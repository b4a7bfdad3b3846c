import type { Counter } from "prom-client";

/**
 * One label child of a prom-client counter whose increments add up in a plain number until
 * `flush` moves them into prom-client. prom-client 15 hashes and validates the label values
 * on every `inc`, even of a bound child, which costs more than the rest of a no-op
 * iteration's accounting. `HarnessMetrics` runs the flushes before any metric is read.
 */
export class BatchedCounter {
  #pending = 0;

  constructor(readonly child: Counter.Internal) {}

  /** @throws {RangeError} when `value` is negative, NaN or infinite, as prom-client does. */
  inc(value = 1): void {
    if (!(value >= 0 && value < Infinity)) {
      throw new RangeError(`counter increment must be a finite number >= 0, got ${value}`);
    }
    this.#pending += value;
  }

  flush(): void {
    if (this.#pending === 0) return;
    this.child.inc(this.#pending);
    this.#pending = 0;
  }
}
