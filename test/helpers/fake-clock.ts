import type { Clock } from "../../src/core/types.ts";

interface Timer {
  atMs: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/**
 * A clock whose time moves only through `advance`. Each timer fires at its due time plus
 * `lateMs`, to model a busy event loop. Microtasks are flushed after each timer, so async
 * iterations that await clock sleeps make progress as they would on the real clock.
 */
export class FakeClock implements Clock {
  #nowMs = 0;
  #seq = 0;
  #timers: Timer[] = [];
  /** Extra delay of every timer, in ms. */
  lateMs = 0;

  nowMs(): number {
    return this.#nowMs;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    const timer = {
      atMs: this.#nowMs + Math.max(0, delayMs) + this.lateMs,
      seq: this.#seq++,
      callback,
      cancelled: false,
    };
    this.#timers.push(timer);
    return timer;
  }

  clearTimer(handle: unknown): void {
    if (handle) (handle as Timer).cancelled = true;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const endMs = this.#nowMs + ms;
    for (;;) {
      this.#timers = this.#timers.filter((timer) => !timer.cancelled);
      let next: Timer | undefined;
      for (const timer of this.#timers) {
        if (
          timer.atMs <= endMs &&
          (!next || timer.atMs < next.atMs || (timer.atMs === next.atMs && timer.seq < next.seq))
        )
          next = timer;
      }
      if (!next) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#nowMs = Math.max(this.#nowMs, next.atMs);
      next.callback();
      await flushMicrotasks();
    }
    this.#nowMs = endMs;
    await flushMicrotasks();
  }
}

export async function flushMicrotasks(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
