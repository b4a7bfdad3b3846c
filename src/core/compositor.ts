import type { RatePlan } from "./rate-plan.ts";
import type { Recorder } from "./recorder.ts";
import type { ScenarioRunner } from "./scenario-runner.ts";
import type { Clock } from "./types.ts";

/** Maximum time one tick spends releasing arrivals, in ms, before it yields to the event loop. */
const TICK_BUDGET_MS = 20;
/** Arrivals released between two checks of the budget. */
const BUDGET_CHECK_EVERY = 128;
/** Maximum arrivals one scenario releases in one tick, whatever the clock reads. */
const MAX_ARRIVALS_PER_TICK = 50_048;

/** The arrival schedule of one open-model scenario. */
export interface ArrivalSchedule {
  runner: ScenarioRunner;
  plan: RatePlan;
  /** Run-clock time of the scenario's start, in ms; plan times count from it. */
  startMs: number;
  /** Index of the next arrival to release. */
  next: number;
  paused: boolean;
  /** Called once when the plan's end is reached. */
  onEnd(): void;
}

export interface CompositorOptions {
  clock: Clock;
  recorder: Recorder;
  /** Maximum wait between ticks, in ms, even when no arrival is due (default 50). */
  maxTickMs?: number;
}

/**
 * Releases the arrivals of every open-model scenario at their planned times.
 *
 * Each tick releases, per scenario, every arrival whose planned time (from the scenario's
 * start and its rate plan) has come, then sets its timer for the earliest next planned
 * arrival, so arrivals are spread in time rather than sent as one burst per tick. A tick
 * that fires late releases what became due meanwhile, with each arrival still measured
 * from its own planned time, so lateness shows as start lag and never as lost arrivals.
 */
export class Compositor {
  readonly #clock: Clock;
  readonly #recorder: Recorder;
  readonly #maxTickMs: number;
  readonly #schedules = new Set<ArrivalSchedule>();
  #timer: unknown;
  #plannedTickMs = 0;
  #running = false;

  constructor(options: CompositorOptions) {
    this.#clock = options.clock;
    this.#recorder = options.recorder;
    this.#maxTickMs = options.maxTickMs ?? 50;
  }

  get schedules(): ReadonlySet<ArrivalSchedule> {
    return this.#schedules;
  }

  add(schedule: ArrivalSchedule): void {
    this.#schedules.add(schedule);
    this.#publishRate(schedule, this.#clock.nowMs());
    if (this.#running) this.#reschedule(this.#clock.nowMs());
  }

  remove(schedule: ArrivalSchedule): void {
    this.#schedules.delete(schedule);
    schedule.runner.recorder.desiredRate(0);
  }

  start(): void {
    this.#running = true;
    this.#plannedTickMs = this.#clock.nowMs();
    this.#timer = this.#clock.setTimer(() => this.tick(), 0);
  }

  stop(): void {
    this.#running = false;
    this.#clock.clearTimer(this.#timer);
    for (const schedule of this.#schedules) schedule.runner.recorder.desiredRate(0);
    this.#schedules.clear();
  }

  /** Pauses or resumes a schedule. Arrivals planned while paused are skipped, so a resume does not burst. */
  setPaused(schedule: ArrivalSchedule, paused: boolean): void {
    const nowMs = this.#clock.nowMs();
    if (!paused && schedule.paused) {
      const elapsedMs = nowMs - schedule.startMs;
      schedule.next = Math.max(
        schedule.next,
        Math.ceil(schedule.plan.arrivalsUntil(elapsedMs) - 1e-9),
      );
    }
    schedule.paused = paused;
    this.#publishRate(schedule, nowMs);
    if (this.#running) this.#reschedule(nowMs);
  }

  /** Sets a constant rate (per the plan's time unit) from now to the plan's end. */
  setRate(schedule: ArrivalSchedule, rate: number): void {
    const nowMs = this.#clock.nowMs();
    schedule.plan.setRate(Math.max(0, nowMs - schedule.startMs), rate);
    this.#publishRate(schedule, nowMs);
    if (this.#running) this.#reschedule(nowMs);
  }

  /** Runs one tick: releases due arrivals, times the tick and its lag, and sets the next timer. */
  tick(): void {
    if (!this.#running) return;
    const tickStartMs = this.#clock.nowMs();
    const lagMs = Math.max(0, tickStartMs - this.#plannedTickMs);
    for (const schedule of [...this.#schedules]) this.#release(schedule, tickStartMs);
    const nowMs = this.#clock.nowMs();
    this.#recorder.compositorTick(nowMs - tickStartMs, lagMs);
    if (this.#running) this.#reschedule(nowMs);
  }

  #release(schedule: ArrivalSchedule, nowMs: number): void {
    const elapsedMs = nowMs - schedule.startMs;
    if (elapsedMs < 0) return;
    if (!schedule.paused) {
      const { plan, runner, startMs } = schedule;
      const total = plan.totalArrivals;
      let released = 0;
      while (schedule.next < total) {
        const plannedMs = plan.plannedMs(schedule.next);
        if (plannedMs > elapsedMs) break;
        schedule.next++;
        runner.arrive(startMs + plannedMs);
        // A rate beyond what this process can release must not hold the event loop:
        // past the budget, the rest stays due for the next tick and shows as start lag.
        if (++released % BUDGET_CHECK_EVERY !== 0) continue;
        if (released >= MAX_ARRIVALS_PER_TICK || this.#clock.nowMs() - nowMs > TICK_BUDGET_MS)
          break;
      }
    }
    this.#publishRate(schedule, nowMs);
    if (elapsedMs >= schedule.plan.endMs) {
      this.#schedules.delete(schedule);
      schedule.runner.recorder.desiredRate(0);
      if (!schedule.paused)
        schedule.runner.dropOverdue(schedule.plan.totalArrivals - schedule.next);
      schedule.onEnd();
    }
  }

  #publishRate(schedule: ArrivalSchedule, nowMs: number): void {
    const rate = schedule.paused ? 0 : schedule.plan.rateAt(nowMs - schedule.startMs);
    schedule.runner.recorder.desiredRate((rate * 1000) / schedule.plan.timeUnitMs);
  }

  /** Sets the timer for the earliest planned arrival or plan end, at most `maxTickMs` away. */
  #reschedule(nowMs: number): void {
    let dueMs = nowMs + this.#maxTickMs;
    for (const schedule of this.#schedules) {
      const endMs = schedule.startMs + schedule.plan.endMs;
      let nextMs = Math.max(schedule.startMs, endMs < dueMs ? endMs : dueMs);
      if (!schedule.paused && schedule.next < schedule.plan.totalArrivals) {
        nextMs = Math.min(nextMs, schedule.startMs + schedule.plan.plannedMs(schedule.next));
      }
      if (nextMs < dueMs) dueMs = nextMs;
    }
    this.#clock.clearTimer(this.#timer);
    const delayMs = Math.max(0, dueMs - nowMs);
    this.#plannedTickMs = nowMs + delayMs;
    this.#timer = this.#clock.setTimer(() => this.tick(), delayMs);
  }
}
