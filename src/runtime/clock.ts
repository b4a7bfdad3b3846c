import type { Clock } from "../core/types.ts";

/** The wall clock: `performance.now()` for time and the runtime's timers. */
export const systemClock: Clock = {
  nowMs: () => performance.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
