import { Compositor, type ArrivalSchedule } from "./compositor.ts";
import { createHttpClient, type HttpTransport } from "./http-client.ts";
import { NameLimiter } from "./http-name.ts";
import type { HttpConfig } from "./options.ts";
import { PlayerRamp } from "./player-ramp.ts";
import { Pool } from "./pool.ts";
import { RatePlan } from "./rate-plan.ts";
import type { Recorder, ScenarioRecorder } from "./recorder.ts";
import type { ScenarioDefinition } from "./scenario-loader.ts";
import { ScenarioRunner } from "./scenario-runner.ts";
import { LoopMonitor } from "./loop-monitor.ts";
import { TappedScenarioRecorder, type SampleBus } from "./samples.ts";
import type { CancellationSource, Clock, Logger, ScenarioModule, SetupContext } from "./types.ts";

export type RunState = "created" | "running" | "stopping" | "finished";

export interface RunOptions {
  clock: Clock;
  recorder: Recorder;
  logger: Logger;
  /** Opens the runtime's HTTP client for one file's HTTP settings. */
  createTransport(config: HttpConfig): HttpTransport;
  fetch: typeof fetch;
  env: Record<string, string>;
  /** Idle players kept for reuse (default: the sum of the scenarios' maximum players). */
  idleCapacity?: number;
  poolMonitorIntervalMs?: number;
  compositorMaxTickMs?: number;
  /** Interval of the event-loop lag timer, in ms; 0 turns it off (default 100). */
  loopMonitorIntervalMs?: number;
  /** Receives each scenario's samples, for thresholds and outputs (default: none). */
  samples?: SampleBus;
  /**
   * Starts every scenario paused, for the control API to resume (default false).
   * NOTE: the scenario's clock runs while it is paused, so its duration still elapses.
   */
  startPaused?: boolean;
  /**
   * Keep the run running with no scenario left, until `stop` (used by `--watch`, where
   * files may still appear). Without it, the run ends when its last scenario ends.
   */
  holdOpen?: boolean;
}

/** The reason a run ended before its schedule did. */
export interface RunInterruption {
  kind: "script-abort" | "operator" | "signal" | "threshold";
  reason: string;
}

/** The outcome of a run, for the summary and the exit code. */
export interface RunResult {
  durationMs: number;
  runners: ScenarioRunner[];
  interruption: RunInterruption | undefined;
  /** Files whose setup threw; their scenarios did not run. */
  setupErrors: Array<{ file: string; reason: string }>;
}

const NO_RECORDER: ScenarioRecorder = {
  attempted() {},
  starved() {},
  started() {},
  completed() {},
  desiredRate() {},
  check() {},
  http() {},
  trends: () => ({ service: null, startLag: null, latency: null, http: null }),
  checks: () => [],
  httpTotals: () => ({ requests: 0, failures: 0 }),
};

/**
 * One test run: runs each file's `setup`, starts every scenario at its `startTime`, ends
 * each at its duration with its `gracefulStop`, runs `teardown`, and resolves `finished`.
 */
export class Run {
  state: RunState = "created";
  readonly runners = new Map<string, ScenarioRunner>();
  readonly pool: Pool;
  readonly compositor: Compositor;
  readonly #options: RunOptions;
  readonly #clock: Clock;
  readonly #loopMonitor: LoopMonitor;
  readonly #transports = new Map<string, HttpTransport>();
  readonly #schedules = new Map<string, ArrivalSchedule>();
  readonly #setupErrors: RunResult["setupErrors"] = [];
  readonly #timers = new Set<unknown>();
  readonly #stopAbort = new AbortController();
  /** Per scenario name: ends that scenario (used by `stop` and `retire`). */
  readonly #enders = new Map<string, (source: CancellationSource) => void>();
  /** Scenarios that begin while this is true begin paused (`startPaused`, or a run-wide pause). */
  pauseNewScenarios: boolean;
  #pendingFiles = 0;
  /** True while `holdOpen` counts as one pending file, until `stop`. */
  #holding = false;
  #stopSource: CancellationSource = "shutdown";
  #startedAtMs = 0;
  #endedAtMs: number | undefined;
  #interruption: RunInterruption | undefined;
  #finish!: (result: RunResult) => void;
  readonly finished: Promise<RunResult>;

  constructor(
    private readonly definitions: ScenarioDefinition[],
    options: RunOptions,
  ) {
    this.#options = options;
    this.pauseNewScenarios = options.startPaused ?? false;
    this.#clock = options.clock;
    const idleCapacity =
      options.idleCapacity ??
      Math.max(
        1,
        definitions.reduce((sum, d) => sum + Math.max(d.config.maxPlayers, d.config.players), 0),
      );
    this.pool = new Pool({
      clock: options.clock,
      recorder: options.recorder,
      idleCapacity,
      monitorIntervalMs: options.poolMonitorIntervalMs,
    });
    this.compositor = new Compositor({
      clock: options.clock,
      recorder: options.recorder,
      maxTickMs: options.compositorMaxTickMs,
    });
    this.#loopMonitor = new LoopMonitor(
      options.clock,
      options.recorder,
      options.logger,
      options.loopMonitorIntervalMs ?? 100,
    );
    this.finished = new Promise((resolve) => (this.#finish = resolve));
    for (const definition of definitions) options.recorder.scenario(definition.name);
  }

  get startedAtMs(): number {
    return this.#startedAtMs;
  }

  get elapsedMs(): number {
    if (this.state === "created") return 0;
    return (this.#endedAtMs ?? this.#clock.nowMs()) - this.#startedAtMs;
  }

  get interruption(): RunInterruption | undefined {
    return this.#interruption;
  }

  /** Runs the scenarios; resolves once they are all scheduled (use `finished` for the end). */
  async start(): Promise<void> {
    if (this.state !== "created") throw new Error(`run already ${this.state}`);
    this.state = "running";
    this.#startedAtMs = this.#clock.nowMs();
    this.pool.startMonitor(() => this.inflight);
    this.#loopMonitor.start();
    this.compositor.start();
    const byFile = new Map<string, ScenarioDefinition[]>();
    for (const definition of this.definitions) {
      const list = byFile.get(definition.file) ?? [];
      list.push(definition);
      byFile.set(definition.file, list);
    }
    if (this.#options.holdOpen) {
      this.#holding = true;
      this.#pendingFiles++;
    }
    for (const list of byFile.values()) this.#trackFile(list);
    if (this.#pendingFiles === 0) void this.#finishRun();
  }

  /**
   * Adds one file's scenarios to the running run: runs the file's `setup`, then starts each
   * scenario at its `startTime` from now. The run ends only after they end too.
   *
   * @throws {Error} when the run is not running.
   */
  addDefinitions(definitions: ScenarioDefinition[]): void {
    if (this.state !== "running") throw new Error(`cannot add scenarios: the run is ${this.state}`);
    for (const definition of definitions) this.#options.recorder.scenario(definition.name);
    if (definitions.length > 0) this.#trackFile(definitions);
  }

  /**
   * Ends one scenario before its schedule does: no new arrivals, running iterations get its
   * `gracefulStop`, then count as cancelled by `source`. Returns false when no scenario of
   * that name has been started.
   */
  retire(name: string, source: CancellationSource): boolean {
    const end = this.#enders.get(name);
    if (!end) return false;
    const schedule = this.#schedules.get(name);
    if (schedule) {
      this.compositor.remove(schedule);
      this.#schedules.delete(name);
    }
    end(source);
    return true;
  }

  #trackFile(definitions: ScenarioDefinition[]): void {
    this.#pendingFiles++;
    void this.#startFile(definitions).finally(() => {
      this.#pendingFiles--;
      if (this.#pendingFiles === 0) void this.#finishRun();
    });
  }

  /** Iterations running now, over all scenarios. */
  get inflight(): number {
    let inflight = 0;
    for (const runner of this.runners.values()) inflight += runner.inflight;
    return inflight;
  }

  /**
   * Stops the run gracefully: no new arrivals; each scenario's running iterations get its
   * `gracefulStop`, then count as cancelled by `source`.
   */
  stop(source: CancellationSource = "shutdown", interruption?: RunInterruption): void {
    if (this.state !== "running") return;
    this.state = "stopping";
    this.#interruption ??= interruption;
    this.compositor.stop();
    for (const timer of this.#timers) this.#clock.clearTimer(timer);
    this.#timers.clear();
    this.#stopSource = source;
    this.#stopAbort.abort();
    if (this.#holding) {
      this.#holding = false;
      this.#pendingFiles--;
      if (this.#pendingFiles === 0) void this.#finishRun();
    }
  }

  /** Ends the run because a scenario called `ctx.abort()`. */
  abortFromScript(reason: string): void {
    this.options.logger.error(`run aborted by a scenario: ${reason}`);
    this.stop("shutdown", { kind: "script-abort", reason });
  }

  /** Returns the schedule of an open-model scenario, for rate and pause changes. */
  schedule(name: string): ArrivalSchedule | undefined {
    return this.#schedules.get(name);
  }

  private get options(): RunOptions {
    return this.#options;
  }

  async #startFile(definitions: ScenarioDefinition[]): Promise<void> {
    const first = definitions[0]!;
    const transport = this.#transport(first);
    const setupContext = this.#setupContext(first, transport);
    let data: unknown;
    try {
      if (first.module.setup) data = await first.module.setup(setupContext);
    } catch (error) {
      this.#reportSetupError(first.file, "setup", error);
      return;
    }
    await Promise.all(
      definitions.map((definition) => this.#startScenario(definition, data, transport)),
    );
    await this.#teardown(first.module, setupContext, data, first.file);
  }

  #startScenario(
    definition: ScenarioDefinition,
    data: unknown,
    transport: HttpTransport,
  ): Promise<void> {
    const runner = this.#createRunner(definition, data, transport);
    return new Promise<void>((resolve) => {
      if (this.state !== "running") {
        runner.state = "finished";
        return resolve();
      }
      const begin = () => {
        this.#timers.delete(timer);
        if (this.state !== "running" || runner.state !== "waiting") {
          return void runner.stop("shutdown", 0).then(resolve);
        }
        this.#begin(
          runner,
          () => void runner.stop("shutdown", runner.config.gracefulStopMs).then(resolve),
        );
        if (this.pauseNewScenarios) this.#pause(runner);
      };
      const timer = this.#clock.setTimer(begin, definition.config.startTimeMs);
      this.#timers.add(timer);
      const end = (source: CancellationSource) => {
        if (runner.state === "waiting") {
          runner.state = "finished";
          this.#clock.clearTimer(timer);
          this.#timers.delete(timer);
          resolve();
        } else void runner.stop(source, runner.config.gracefulStopMs).then(resolve);
      };
      this.#enders.set(definition.name, end);
      this.#stopAbort.signal.addEventListener("abort", () => end(this.#stopSource));
    });
  }

  /** Starts `runner` per its executor; `onEnd` runs when its schedule is over. */
  #begin(runner: ScenarioRunner, onEnd: () => void): void {
    const config = runner.config;
    const nowMs = this.#clock.nowMs();
    runner.state = "running";
    runner.startedAtMs = nowMs;
    switch (config.executor) {
      case "constant-arrival-rate":
      case "externally-controlled": {
        this.#addSchedule(
          runner,
          RatePlan.constant(config.rate, config.timeUnitMs, config.durationMs),
          nowMs,
          onEnd,
        );
        return;
      }
      case "ramping-arrival-rate": {
        this.#addSchedule(
          runner,
          new RatePlan(config.timeUnitMs, config.startRate, config.stages),
          nowMs,
          onEnd,
        );
        return;
      }
      case "constant-players": {
        runner.startLoops(config.players, nowMs + config.durationMs);
        this.#after(config.durationMs, onEnd);
        return;
      }
      case "shared-iterations":
      case "per-player-iterations": {
        const budget =
          config.executor === "shared-iterations"
            ? { shared: { remaining: config.iterations } }
            : { perPlayer: config.iterations };
        const players = Math.min(
          config.players,
          budget.shared ? config.iterations : config.players,
        );
        let ended = false;
        const endOnce = () => {
          if (ended) return;
          ended = true;
          onEnd();
        };
        runner.startLoops(players, nowMs + config.maxDurationMs, budget, endOnce);
        this.#after(config.maxDurationMs, endOnce);
        return;
      }
      case "ramping-players": {
        this.#beginRamp(runner, new PlayerRamp(config.startPlayers, config.stages), nowMs, onEnd);
        return;
      }
    }
  }

  /** Runs a ramping-players scenario: one timer per step of the ramp moves its player target. */
  #beginRamp(runner: ScenarioRunner, ramp: PlayerRamp, startMs: number, onEnd: () => void): void {
    runner.lane.maxPlayers = Math.max(1, ramp.maxPlayers);
    runner.startLoops(ramp.playersAt(0), startMs + ramp.durationMs);
    const steps = ramp.steps.filter((step) => step.atMs > 0 && step.atMs < ramp.durationMs);
    let next = 0;
    const follow = () => {
      if (next >= steps.length) return;
      this.#after(startMs + steps[next]!.atMs - this.#clock.nowMs(), () => {
        let players = runner.targetPlayers;
        const nowMs = this.#clock.nowMs() - startMs;
        while (next < steps.length && steps[next]!.atMs <= nowMs) players = steps[next++]!.players;
        if (runner.state === "running" || runner.state === "paused") {
          runner.setTargetPlayers(players);
        }
        follow();
      });
    };
    follow();
    this.#after(ramp.durationMs, onEnd);
  }

  #pause(runner: ScenarioRunner): void {
    const schedule = this.#schedules.get(runner.name);
    if (schedule) this.compositor.setPaused(schedule, true);
    runner.state = "paused";
  }

  #addSchedule(runner: ScenarioRunner, plan: RatePlan, startMs: number, onEnd: () => void): void {
    this.pool.preAllocate(this.pool.idleDepth + runner.config.preAllocatedPlayers);
    runner.plannedArrivals = plan.totalArrivals;
    runner.ratePlan = plan;
    const schedule: ArrivalSchedule = { runner, plan, startMs, next: 0, paused: false, onEnd };
    this.#schedules.set(runner.name, schedule);
    this.compositor.add(schedule);
  }

  #after(delayMs: number, callback: () => void): void {
    const timer = this.#clock.setTimer(() => {
      this.#timers.delete(timer);
      callback();
    }, delayMs);
    this.#timers.add(timer);
  }

  #createRunner(
    definition: ScenarioDefinition,
    data: unknown,
    transport: HttpTransport,
  ): ScenarioRunner {
    const { recorder, logger, clock, env, samples } = this.#options;
    const inner = recorder.scenario(definition.name);
    const scenarioRecorder = samples?.active
      ? new TappedScenarioRecorder(inner, samples, clock, definition.name, definition.config.tags)
      : inner;
    const runner = new ScenarioRunner(definition, data, {
      pool: this.pool,
      recorder: scenarioRecorder,
      shared: {
        clock,
        transport,
        baseFetch: this.#options.fetch,
        env,
        log: logger,
        onAbort: (reason) => this.abortFromScript(reason),
      },
      instrument: { clock, config: definition.fileOptions.http },
      onCancellation: (source) => recorder.cancellation(source),
    });
    this.runners.set(definition.name, runner);
    return runner;
  }

  #transport(definition: ScenarioDefinition): HttpTransport {
    let transport = this.#transports.get(definition.file);
    if (!transport) {
      transport = this.#options.createTransport(definition.fileOptions.http);
      this.#transports.set(definition.file, transport);
    }
    return transport;
  }

  #setupContext(definition: ScenarioDefinition, transport: HttpTransport): SetupContext {
    const { clock, env, logger } = this.#options;
    const instrument = {
      clock,
      recorder: NO_RECORDER,
      names: new NameLimiter(1, () => {}),
      config: definition.fileOptions.http,
    };
    const signal = this.#stopAbort.signal;
    return {
      env,
      fetch: this.#options.fetch,
      http: createHttpClient(transport, instrument, signal),
      log: logger,
      signal,
    };
  }

  async #teardown(
    module: ScenarioModule,
    context: SetupContext,
    data: unknown,
    file: string,
  ): Promise<void> {
    if (!module.teardown) return;
    try {
      await module.teardown(context, data);
    } catch (error) {
      this.#reportSetupError(file, "teardown", error);
    }
  }

  #reportSetupError(file: string, phase: "setup" | "teardown", error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.#setupErrors.push({ file, reason: `${phase} failed: ${reason}` });
    this.#options.recorder.error("load");
    this.#options.logger.error(`${file}: ${phase} failed: ${reason}`);
  }

  async #finishRun(): Promise<void> {
    if (this.state === "finished") return;
    this.state = "finished";
    this.#endedAtMs = this.#clock.nowMs();
    this.compositor.stop();
    this.pool.stopMonitor();
    this.#loopMonitor.stop();
    this.pool.drain();
    this.pool.sample(this.inflight);
    await Promise.all([...this.#transports.values()].map((transport) => transport.close()));
    this.#finish({
      durationMs: this.#endedAtMs - this.#startedAtMs,
      runners: [...this.runners.values()],
      interruption: this.#interruption,
      setupErrors: this.#setupErrors,
    });
  }
}
