import { test } from "node:test";
import assert from "node:assert/strict";
import type { Clock } from "../src/core/types.ts";
import { createTestRun, defineScenario } from "./helpers/scenarios.ts";

interface Timer {
  atMs: number;
  delayMs: number;
  callback: () => void;
}

/**
 * A clock that moves 0.25 ms forward on every read, so that loops of no-op iterations see
 * time pass and yield, and that counts how many zero-delay timers are pending at once.
 */
class TickingClock implements Clock {
  #nowMs = 0;
  #timers: Timer[] = [];
  maxPendingZeroDelay = 0;

  nowMs(): number {
    this.#nowMs += 0.25;
    return this.#nowMs;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    const timer = { atMs: this.#nowMs + Math.max(0, delayMs), delayMs, callback };
    this.#timers.push(timer);
    const zeroDelay = this.#timers.filter((pending) => pending.delayMs === 0).length;
    this.maxPendingZeroDelay = Math.max(this.maxPendingZeroDelay, zeroDelay);
    return timer;
  }

  clearTimer(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer !== handle);
  }

  /** Fires due timers in time order, letting microtasks run between them, until `done`. */
  async runUntil(done: () => boolean): Promise<void> {
    for (let fired = 0; !done() && fired < 100_000; fired++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const next = this.#timers.reduce<Timer | undefined>(
        (earliest, timer) => (!earliest || timer.atMs < earliest.atMs ? timer : earliest),
        undefined,
      );
      if (!next) continue;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#nowMs = Math.max(this.#nowMs, next.atMs);
      next.callback();
    }
  }
}

test("closed-model loops share one yield timer", async () => {
  const players = 20;
  const clock = new TickingClock();
  const definition = defineScenario(
    "spin",
    { executor: "constant-players", players, duration: 200, gracefulStop: 0 },
    async () => {},
  );
  const { run } = createTestRun([definition], clock);
  let finished = false;
  void run.finished.then(() => (finished = true));
  await run.start();
  await clock.runUntil(() => finished);

  assert.equal(finished, true);
  const runner = run.runners.get("spin")!;
  assert.ok(runner.counts.completed.success > players, `${runner.counts.completed.success} ran`);
  // Besides the yield, the run's start, the compositor and the pool monitor set zero-delay
  // timers; a yield timer per loop would put all 20 loops' timers here at once.
  assert.ok(clock.maxPendingZeroDelay <= 4, `${clock.maxPendingZeroDelay} zero-delay timers`);
});
