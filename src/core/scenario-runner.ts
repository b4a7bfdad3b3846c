import { IterationContext, sleepFor, type ContextShared } from "./context.ts";
import { NameLimiter } from "./http-name.ts";
import { Iteration, RunAbort } from "./iteration.ts";
import type { Player } from "./player.ts";
import { OPEN_MODEL_EXECUTORS, type ScenarioConfig } from "./options.ts";
import { Lane, type Pool } from "./pool.ts";
import type { RatePlan } from "./rate-plan.ts";
import type { ScenarioRecorder } from "./recorder.ts";
import type { ScenarioDefinition } from "./scenario-loader.ts";
import type { CancellationSource, IterationFunction, IterationStatus } from "./types.ts";

/** Distinct request names kept per scenario before the rest share the `other` label value. */
const MAX_REQUEST_NAMES = 200;
/** A closed-model loop yields to the event loop after running this long without a timer, in ms. */
const LOOP_YIELD_MS = 10;
/** Distinct iteration error messages logged per scenario; later ones are only counted. */
const MAX_LOGGED_ERRORS = 5;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

export type ScenarioState = "waiting" | "running" | "paused" | "stopping" | "finished";

export interface ScenarioCounts {
  attempted: number;
  started: number;
  dropped: number;
  completed: Record<IterationStatus, number>;
}

/** Iterations left: one counter shared by all loops, or a count for each loop. */
export interface IterationBudget {
  shared?: { remaining: number };
  perPlayer?: number;
}

/** One closed-model player loop; `index` decides which loops a lower player target stops. */
interface LoopSlot {
  index: number;
  /** The iteration this loop runs now, if any. */
  current: Iteration | undefined;
}

export interface RunnerServices {
  pool: Pool;
  recorder: ScenarioRecorder;
  shared: Omit<ContextShared, "recorder" | "instrument" | "scenario" | "data">;
  instrument: Omit<ContextShared["instrument"], "recorder" | "names">;
  /** Called once per cancelled iteration, with what cancelled it. */
  onCancellation(source: CancellationSource): void;
}

/**
 * Runs the iterations of one scenario: hands arrivals to players (open model) or keeps
 * player loops going (closed model), accounts each iteration exactly once, and stops
 * gracefully. It does not decide when arrivals happen; the compositor does.
 */
export class ScenarioRunner {
  readonly counts: ScenarioCounts = {
    attempted: 0,
    started: 0,
    dropped: 0,
    completed: { success: 0, failure: 0, cancelled: 0 },
  };
  readonly lane: Lane;
  readonly recorder: ScenarioRecorder;
  state: ScenarioState = "waiting";
  startedAtMs: number | undefined;
  /** When the schedule stopped starting iterations (before the graceful stop). */
  scheduleEndedAtMs: number | undefined;
  endedAtMs: number | undefined;
  /** Arrivals the open-model schedule plans in all. */
  plannedArrivals = 0;
  /** The open-model schedule's rate plan; rate changes during the run update it in place. */
  ratePlan: RatePlan | undefined;
  /** Players the closed-model executor keeps busy; changed by the control API. */
  targetPlayers: number;

  readonly #inflight = new Set<Iteration>();
  /** Arrivals that found no free player, waiting in arrival order; bounded by maxQueuedArrivals. */
  readonly #queue: Array<{ plannedMs: number; queuedAtMs: number }> = [];
  readonly #pool: Pool;
  readonly #shared: ContextShared;
  readonly #errors = new Map<string, number>();
  readonly #onCancellation: (source: CancellationSource) => void;
  #iterate: IterationFunction;
  #scenarioIterations = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #slots = new Map<number, LoopSlot>();
  #loopsUntilMs = Infinity;
  #loopBudget: IterationBudget | undefined;
  #onLoopsDone: (() => void) | undefined;
  readonly #rampDownTimers = new Set<unknown>();
  #dropWarned = false;
  /** The timer that closed-model loops due for a yield wait on together, while it is pending. */
  #yielding: Promise<void> | undefined;

  constructor(
    readonly definition: ScenarioDefinition,
    data: unknown,
    services: RunnerServices,
  ) {
    const { config } = definition;
    this.#pool = services.pool;
    this.#onCancellation = services.onCancellation;
    this.recorder = services.recorder;
    this.#iterate = definition.iterate;
    this.lane = new Lane(definition.name, this.isOpenModel ? config.maxPlayers : config.players);
    this.targetPlayers = config.players;
    const names = new NameLimiter(MAX_REQUEST_NAMES, (name) =>
      services.shared.log.warn(
        `scenario ${definition.name}: more than ${MAX_REQUEST_NAMES} distinct request names; ` +
          `"${name}" and later ones are labelled "${NameLimiter.OVERFLOW}". Set a name tag on requests with ids in their path`,
      ),
    );
    this.#shared = {
      ...services.shared,
      recorder: this.recorder,
      instrument: { ...services.instrument, recorder: this.recorder, names },
      scenario: { name: definition.name, file: definition.file },
      data,
      env: { ...services.shared.env, ...config.env },
    };
    services.pool.addLane(this.lane);
  }

  get name(): string {
    return this.definition.name;
  }

  get config(): ScenarioConfig {
    return this.definition.config;
  }

  get isOpenModel(): boolean {
    return OPEN_MODEL_EXECUTORS.has(this.definition.config.executor);
  }

  /** Milliseconds during which the schedule started iterations. */
  get activeMs(): number {
    if (this.startedAtMs === undefined) return 0;
    const endMs = this.scheduleEndedAtMs ?? this.endedAtMs ?? this.#shared.clock.nowMs();
    return endMs - this.startedAtMs;
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  /** Runs new iterations with `definition`'s code; running ones finish on the old code. */
  replaceCode(definition: ScenarioDefinition): void {
    this.#iterate = definition.iterate;
  }

  /** Iteration errors by message, with their counts. */
  get errors(): ReadonlyMap<string, number> {
    return this.#errors;
  }

  /**
   * Handles one arrival planned at `plannedMs`: records the attempt first, then requests a
   * player from the pool, and counts a drop (starvation) when none can be had.
   */
  arrive(plannedMs: number): void {
    this.counts.attempted++;
    this.recorder.attempted();
    const player = this.#pool.acquire(this.lane);
    if (player) return this.#runArrival(player, plannedMs);
    this.recorder.starved();
    if (this.#queue.length < this.config.maxQueuedArrivals) {
      this.#queue.push({ plannedMs, queuedAtMs: this.#shared.clock.nowMs() });
      return;
    }
    this.counts.dropped++;
    this.#warnDropped();
  }

  /**
   * Counts `count` arrivals that were planned before the scenario's end but that the
   * compositor could not release in time, because the load generator was saturated. They
   * count as attempted and dropped, so attempted minus started stays the starvation count.
   */
  dropOverdue(count: number): void {
    if (count <= 0) return;
    this.counts.attempted += count;
    this.counts.dropped += count;
    this.recorder.attempted(count);
    this.recorder.starved(count);
    this.#shared.log.warn(
      `scenario ${this.name}: ${count} arrivals planned before its end were never released, ` +
        "because the load generator could not keep up with the rate; they count as dropped. " +
        "Lower the rate or spread it over several instances",
    );
  }

  /** Arrivals waiting for a player (only with `maxQueuedArrivals` above 0). */
  get queuedArrivals(): number {
    return this.#queue.length;
  }

  #runArrival(player: Player, plannedMs: number): void {
    void this.#run(player, plannedMs).finally(() => this.#handOff(player));
  }

  /** Gives a freed player to the oldest queued arrival, or returns it to the pool. */
  #handOff(player: Player): void {
    const next = this.state === "finished" ? undefined : this.#queue.shift();
    if (next) {
      this.#pool.recordExecuteWait(this.#shared.clock.nowMs() - next.queuedAtMs);
      return this.#runArrival(player, next.plannedMs);
    }
    this.#pool.release(this.lane, player);
    this.#notifyIfIdle();
  }

  /** Counts the arrivals still queued as dropped, when the scenario's graceful stop is over. */
  #dropQueued(): void {
    this.counts.dropped += this.#queue.length;
    this.#queue.length = 0;
  }

  /**
   * Starts `count` closed-model player loops. Each runs iterations back to back until
   * `untilMs`, until `budget` runs out, until a lower player target retires it, or until the
   * scenario stops. `onLoopsDone` runs once no loop is left.
   */
  startLoops(
    count: number,
    untilMs: number,
    budget?: IterationBudget,
    onLoopsDone?: () => void,
  ): void {
    if (onLoopsDone) this.#onLoopsDone = onLoopsDone;
    this.#loopsUntilMs = untilMs;
    this.#loopBudget = budget;
    this.targetPlayers = count;
    this.#fillSlots();
  }

  /**
   * Sets how many closed-model loops run. A higher target starts loops at once; a lower one
   * lets each retired loop finish its iteration, and cancels the iterations still running
   * after `gracefulRampDownMs`, counted as cancelled by `source`.
   */
  setTargetPlayers(count: number, source: CancellationSource = "shutdown"): void {
    const lowered = count < this.targetPlayers;
    this.targetPlayers = count;
    if (count > this.lane.maxPlayers) this.lane.maxPlayers = count;
    if (this.state !== "running" && this.state !== "paused") return;
    this.#fillSlots();
    if (lowered) this.#scheduleRampDown(source);
  }

  /** Closed-model loops running now, retired ones that still finish an iteration included. */
  get loops(): number {
    return this.#slots.size;
  }

  #fillSlots(): void {
    for (let index = 0; index < this.targetPlayers; index++) {
      if (this.#slots.has(index)) continue;
      const player = this.#pool.acquire(this.lane);
      if (!player) return;
      this.#startLoop(index, player);
    }
  }

  #startLoop(index: number, player: Player): void {
    const slot: LoopSlot = { index, current: undefined };
    this.#slots.set(index, slot);
    const budget = this.#loopBudget;
    const perPlayer = budget?.perPlayer === undefined ? undefined : { remaining: budget.perPlayer };
    void this.#loop(slot, player, budget?.shared ?? perPlayer).finally(() => {
      this.#slots.delete(index);
      this.#pool.release(this.lane, player);
      if (this.#slots.size === 0) this.#onLoopsDone?.();
      this.#notifyIfIdle();
    });
  }

  /** After `gracefulRampDownMs`, cancels what retired loops still run. */
  #scheduleRampDown(source: CancellationSource): void {
    const clock = this.#shared.clock;
    const timer = clock.setTimer(() => {
      this.#rampDownTimers.delete(timer);
      for (const slot of this.#slots.values()) {
        // NOTE: the cancellations metric has no ramp-down source, so a ramp counts these
        // as "shutdown" (the schedule ended that player, as a stop would), and an operator's
        // change counts them as "operator".
        if (slot.index >= this.targetPlayers && slot.current) this.#cancel(slot.current, source);
      }
    }, this.config.gracefulRampDownMs);
    this.#rampDownTimers.add(timer);
  }

  /**
   * Stops the scenario: no new iterations, running ones get `gracefulMs` to finish, then
   * their signal fires and they count as cancelled by `source`. Resolves once none runs.
   */
  async stop(source: CancellationSource, gracefulMs: number): Promise<void> {
    if (this.state === "finished") return;
    this.state = "stopping";
    this.scheduleEndedAtMs ??= this.#shared.clock.nowMs();
    for (const timer of this.#rampDownTimers) this.#shared.clock.clearTimer(timer);
    this.#rampDownTimers.clear();
    if (this.#inflight.size > 0 || this.#slots.size > 0) {
      const timer = { handle: undefined as unknown };
      const graceOver = new Promise<void>((resolve) => {
        timer.handle = this.#shared.clock.setTimer(resolve, gracefulMs);
      });
      await Promise.race([this.#whenIdle(), graceOver]);
      this.#shared.clock.clearTimer(timer.handle);
      // Cancelled iterations are accounted at once, so a stop never waits on code that
      // ignores its signal.
      this.#dropQueued();
      for (const iteration of [...this.#inflight]) this.#cancel(iteration, source);
    }
    this.state = "finished";
    this.endedAtMs ??= this.#shared.clock.nowMs();
  }

  /** Cancels every running iteration at once, for an operator or a reload. */
  cancelRunning(source: CancellationSource): void {
    for (const iteration of [...this.#inflight]) this.#cancel(iteration, source);
  }

  /**
   * Lets the event loop run before the loop goes on. All loops due for a yield share one
   * timer, so they resume together and yield again together about LOOP_YIELD_MS later. With
   * a timer each, expired timers ran back to back and each resumed loop held the event loop
   * for LOOP_YIELD_MS, so 100 no-op players blocked it for about a second at a time.
   */
  #yieldToEventLoop(): Promise<void> {
    this.#yielding ??= sleepFor(this.#shared.clock, 0, undefined).then(() => {
      this.#yielding = undefined;
    });
    return this.#yielding;
  }

  async #loop(
    slot: LoopSlot,
    player: Player,
    budget: { remaining: number } | undefined,
  ): Promise<void> {
    const clock = this.#shared.clock;
    let lastYieldMs = clock.nowMs();
    while (this.state === "running" || this.state === "paused") {
      const nowMs = clock.nowMs();
      if (nowMs >= this.#loopsUntilMs || slot.index >= this.targetPlayers) return;
      if (budget && budget.remaining <= 0) return;
      if (this.state === "paused") {
        await sleepFor(clock, 50, undefined);
        continue;
      }
      if (budget) budget.remaining--;
      this.counts.attempted++;
      this.recorder.attempted();
      await this.#run(player, nowMs, slot);
      if (clock.nowMs() - lastYieldMs >= LOOP_YIELD_MS) {
        await this.#yieldToEventLoop();
        lastYieldMs = clock.nowMs();
      }
    }
  }

  async #run(player: Player, plannedMs: number, slot?: LoopSlot): Promise<void> {
    const clock = this.#shared.clock;
    const startedMs = clock.nowMs();
    this.counts.started++;
    this.recorder.started(startedMs - plannedMs);
    player.iterations++;
    const iteration = new Iteration(player, plannedMs, startedMs, this.#scenarioIterations++);
    this.#inflight.add(iteration);
    if (slot) slot.current = iteration;
    const timeoutMs = this.config.iterationTimeoutMs;
    if (timeoutMs !== undefined) {
      iteration.timer = clock.setTimer(() => this.#cancel(iteration, "timeout"), timeoutMs);
    }
    let status: IterationStatus = "success";
    try {
      const work = this.#iterate(new IterationContext(this.#shared, iteration));
      if (isThenable(work)) await iteration.settle(work);
    } catch (error) {
      status = "failure";
      if (!iteration.cancellation && !(error instanceof RunAbort)) this.#recordError(error);
    }
    if (slot) slot.current = undefined;
    if (iteration.ended) return;
    if (iteration.cancellation)
      status = iteration.cancellation.source === "timeout" ? "failure" : "cancelled";
    this.#end(iteration, status);
  }

  #cancel(iteration: Iteration, source: CancellationSource): void {
    if (iteration.ended) return;
    iteration.cancel(source);
    this.#end(iteration, source === "timeout" ? "failure" : "cancelled");
    this.#onCancellation(source);
    if (source === "timeout") this.#recordError(iteration.cancellation);
  }

  #end(iteration: Iteration, status: IterationStatus): void {
    iteration.ended = true;
    this.#shared.clock.clearTimer(iteration.timer);
    this.#inflight.delete(iteration);
    const endMs = this.#shared.clock.nowMs();
    this.counts.completed[status]++;
    this.recorder.completed(status, endMs - iteration.startedMs, endMs - iteration.plannedMs);
    this.#notifyIfIdle();
  }

  #recordError(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const count = (this.#errors.get(message) ?? 0) + 1;
    if (count === 1 && this.#errors.size >= MAX_LOGGED_ERRORS) return;
    this.#errors.set(message, count);
    if (count === 1) this.#shared.log.warn(`scenario ${this.name}: iteration failed: ${message}`);
  }

  #warnDropped(): void {
    if (this.#dropWarned) return;
    this.#dropWarned = true;
    this.#shared.log.warn(
      `scenario ${this.name}: an arrival found no free player (maxPlayers ${this.lane.maxPlayers}) ` +
        "and was dropped; further drops are counted in harness_compositor_idle_starvation_total. " +
        "Raise maxPlayers or lower the rate",
    );
  }

  #whenIdle(): Promise<void> {
    if (this.#inflight.size === 0 && this.#slots.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #notifyIfIdle(): void {
    if (this.#inflight.size > 0 || this.#slots.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
