import type { Run } from "./run.ts";
import type { ScenarioRunner } from "./scenario-runner.ts";
import type { Logger } from "./types.ts";

/** Why a control request cannot apply: `not-found`, `conflict` with the run's state, or `invalid`. */
export type ControlErrorKind = "not-found" | "conflict" | "invalid";

/** A control request that changed nothing; the server maps `kind` to 404, 409 or 400. */
export class ControlError extends Error {
  override name = "ControlError";
  constructor(
    readonly kind: ControlErrorKind,
    message: string,
    /** The request field or path parameter at fault, and the value received. */
    readonly subject?: { field: string; value: unknown },
  ) {
    super(message);
  }
}

/** A change to one scenario; every field is optional, and all of them apply or none does. */
export interface ScenarioChange {
  /** Arrivals per second (open-model executors). */
  ratePerSec?: number;
  paused?: boolean;
  /** Players kept busy (closed-model executors). */
  players?: number;
}

/** A file whose last load failed, as `GET /v1/status` reports it. */
export interface LoadProblem {
  file: string;
  reason: string;
  /** Seconds into the run when the load failed. */
  atSeconds: number;
}

/** Adds scenario files to a running run; implemented by `ScenarioSet`. */
export interface ScenarioFiles {
  /** Files whose latest load failed. */
  readonly problems: LoadProblem[];
  /** Loads `file` (relative to a scenarios folder), logs it, and returns its scenario names. */
  addFile(file: string, client: string): Promise<{ file: string; scenarios: string[] }>;
}

const ITERATION_EXECUTORS = new Set(["shared-iterations", "per-player-iterations"]);

/**
 * Applies operator requests to a running `Run`. Each method checks every precondition
 * before it changes anything, so a request either applies whole or throws a
 * `ControlError` and leaves the run as it was. Each change is logged once with the
 * address of the client that requested it.
 */
export class RunControl {
  constructor(
    readonly run: Run,
    private readonly logger: Logger,
    private readonly files?: ScenarioFiles,
  ) {}

  /**
   * Scenarios paused on their own through `changeScenario`. This pause and the run-wide one
   * are separate flags: a scenario runs only when neither is set, so a run-wide resume
   * leaves these scenarios paused.
   */
  readonly #pausedScenarios = new Set<string>();

  /** True after a run-wide pause (or a start with `--paused`), until the run-wide resume. */
  get paused(): boolean {
    return this.run.pauseNewScenarios;
  }

  /** Files whose latest load failed; a changed file keeps its previous version meanwhile. */
  get loadProblems(): LoadProblem[] {
    return this.files?.problems ?? [];
  }

  /**
   * Pauses or resumes every started scenario of the run. Scenarios that begin later (at their
   * `startTime`, or from a file loaded meanwhile) begin paused until the run-wide resume.
   */
  setPaused(paused: boolean, client: string): void {
    this.#requireRunning();
    const runners = [...this.run.runners.values()].filter(isLive);
    this.run.pauseNewScenarios = paused;
    for (const runner of runners) this.#pauseRunner(runner, this.#shouldPause(runner.name));
    const names = runners.map((runner) => runner.name).join(", ") || "no scenario";
    const keptPaused = runners.filter(
      (runner) => !paused && this.#pausedScenarios.has(runner.name),
    );
    const note =
      keptPaused.length > 0
        ? `; kept the scenario pause of ${keptPaused.map((runner) => runner.name).join(", ")}`
        : "";
    this.#log(`${paused ? "paused" : "resumed"} the run (${names})${note}`, client);
  }

  /** Stops the run gracefully; iterations cut after `gracefulStop` count as cancelled by the operator. */
  stop(client: string): void {
    this.#requireRunning();
    this.run.stop("operator", { kind: "operator", reason: `stopped by the operator at ${client}` });
    this.#log("stopped the run", client);
  }

  /**
   * Changes one scenario's rate, pause state or players.
   *
   * @throws {ControlError} `not-found` for an unknown scenario; `conflict` when the run or
   *   the scenario is not running, or the change does not fit the scenario's executor.
   */
  changeScenario(name: string, change: ScenarioChange, client: string): ScenarioRunner {
    const runner = this.#runner(name);
    this.#requireRunning();
    if (!isLive(runner)) {
      const hint = runner.state === "waiting" ? " (it waits for its startTime)" : "";
      throw new ControlError(
        "conflict",
        `scenario ${name} is ${runner.state}${hint}; only a running or paused scenario can change`,
      );
    }
    if (change.ratePerSec !== undefined) this.#checkRate(runner);
    if (change.players !== undefined) this.#checkPlayers(runner, change.players);

    const changes: string[] = [];
    if (change.ratePerSec !== undefined) {
      changes.push(this.#setRate(runner, change.ratePerSec));
    }
    if (change.players !== undefined) {
      changes.push(`players ${runner.targetPlayers} -> ${change.players}`);
      runner.setTargetPlayers(change.players, "operator");
    }
    if (change.paused !== undefined) {
      if (change.paused) this.#pausedScenarios.add(name);
      else this.#pausedScenarios.delete(name);
      let action = change.paused ? "paused" : "resumed";
      if (!change.paused && this.run.pauseNewScenarios) {
        action = "resumed, but it stays paused by the run-wide pause";
      }
      changes.push(action);
      this.#pauseRunner(runner, this.#shouldPause(name));
    }
    this.#log(`scenario ${name}: ${changes.join(", ")}`, client);
    return runner;
  }

  /**
   * Loads a file from a scenarios folder into the running run.
   *
   * @throws {ControlError} when the path is invalid, missing or already loaded, or the run
   *   is not running.
   */
  async addFile(file: string, client: string): Promise<{ file: string; scenarios: string[] }> {
    this.#requireRunning();
    if (!this.files) {
      throw new ControlError("conflict", "this run cannot load files: it has no scenarios folder");
    }
    return this.files.addFile(file, client);
  }

  #runner(name: string): ScenarioRunner {
    const runner = this.run.runners.get(name);
    if (runner) return runner;
    const known = [...this.run.runners.keys()].join(", ") || "none yet";
    throw new ControlError("not-found", `no scenario named "${name}"; scenarios: ${known}`, {
      field: "name",
      value: name,
    });
  }

  #requireRunning(): void {
    if (this.run.state !== "running") {
      throw new ControlError(
        "conflict",
        `the run is ${this.run.state}; changes apply only while it is running`,
      );
    }
  }

  #checkRate(runner: ScenarioRunner): void {
    const schedule = this.run.schedule(runner.name);
    if (!runner.isOpenModel || !schedule) {
      throw new ControlError(
        "conflict",
        `scenario ${runner.name} uses ${runner.config.executor}, which has no rate; ` +
          "rate applies to arrival-rate and externally-controlled executors, players to the others",
      );
    }
    if (!this.run.compositor.schedules.has(schedule)) {
      throw new ControlError("conflict", `scenario ${runner.name} has reached its end`);
    }
  }

  #checkPlayers(runner: ScenarioRunner, players: number): void {
    if (runner.isOpenModel) {
      throw new ControlError(
        "conflict",
        `scenario ${runner.name} uses ${runner.config.executor}, an open model; ` +
          "players applies to closed-model executors, rate to this one",
      );
    }
    if (players === 0 && ITERATION_EXECUTORS.has(runner.config.executor)) {
      throw new ControlError(
        "conflict",
        `players 0 would end ${runner.config.executor} scenario ${runner.name}; pause it instead`,
      );
    }
  }

  /** Sets the rate from now to the plan's end; returns the log text. */
  #setRate(runner: ScenarioRunner, ratePerSec: number): string {
    const schedule = this.run.schedule(runner.name)!;
    const { plan, startMs } = schedule;
    const nowMs = this.run.startedAtMs + this.run.elapsedMs;
    const oldPerSec = (plan.rateAt(nowMs - startMs) * 1000) / plan.timeUnitMs;
    this.run.compositor.setRate(schedule, (ratePerSec * plan.timeUnitMs) / 1000);
    runner.plannedArrivals = plan.totalArrivals;
    return `rate ${round(oldPerSec)}/s -> ${ratePerSec}/s`;
  }

  /** True when the run-wide pause or the scenario's own pause is set. */
  #shouldPause(name: string): boolean {
    return this.run.pauseNewScenarios || this.#pausedScenarios.has(name);
  }

  #pauseRunner(runner: ScenarioRunner, paused: boolean): void {
    const schedule = this.run.schedule(runner.name);
    if (schedule && this.run.compositor.schedules.has(schedule)) {
      this.run.compositor.setPaused(schedule, paused);
    }
    runner.state = paused ? "paused" : "running";
  }

  #log(action: string, client: string): void {
    this.logger.info(`control: ${action} (requested by ${client})`);
  }
}

function isLive(runner: ScenarioRunner): boolean {
  return runner.state === "running" || runner.state === "paused";
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
