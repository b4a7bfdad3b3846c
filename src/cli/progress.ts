import type { Run } from "../core/run.ts";
import type { ScenarioRunner } from "../core/scenario-runner.ts";

/** Interval of progress lines, in ms. */
const PROGRESS_INTERVAL_MS = 1000;
/** Width of the progress bar, in characters. */
const BAR_WIDTH = 24;

export interface ProgressOptions {
  quiet: boolean;
  /** On a terminal the lines are redrawn in place with a bar; otherwise each second appends plain lines. */
  terminal: boolean;
  write(text: string): void;
}

/** One scenario's figures at one moment, as a progress line shows them. */
export interface ProgressSnapshot {
  name: string;
  state: string;
  /** Share of the schedule done, 0 to 1: elapsed of total time, or iterations of the count. */
  done: number;
  /** Text form of `done`, such as `12s/30s` or `400/1000 it`. */
  doneText: string;
  /** Iterations started per second since the previous line. */
  achievedPerSec: number;
  /** Arrivals per second the schedule requests now, or null for closed-model executors. */
  desiredPerSec: number | null;
  busyPlayers: number;
  maxPlayers: number;
  failed: number;
  dropped: number;
}

/** Formats one progress line: with a bar on a terminal, as plain fields otherwise. */
export function formatProgressLine(snapshot: ProgressSnapshot, terminal: boolean): string {
  const rate =
    `${snapshot.achievedPerSec.toFixed(1)}/s` +
    (snapshot.desiredPerSec === null ? "" : ` of ${snapshot.desiredPerSec.toFixed(1)}/s`);
  const figures =
    `rate ${rate}  players ${snapshot.busyPlayers}/${snapshot.maxPlayers}  ` +
    `failed ${snapshot.failed}  dropped ${snapshot.dropped}`;
  if (!terminal) {
    return `${snapshot.name} ${snapshot.state} ${snapshot.doneText}  ${figures}`;
  }
  const done = Math.min(1, Math.max(0, snapshot.done));
  const filled = Math.round(done * BAR_WIDTH);
  const bar =
    "=".repeat(filled) +
    (filled < BAR_WIDTH ? ">" : "") +
    " ".repeat(Math.max(0, BAR_WIDTH - filled - 1));
  return `${snapshot.name.padEnd(20)} [${bar}] ${snapshot.doneText.padStart(13)}  ${figures}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/**
 * Live progress: one line per scenario every second, redrawn in place on a terminal and
 * appended as plain lines otherwise (CI logs).
 */
export class Progress {
  #timer: ReturnType<typeof setInterval> | undefined;
  #drawnLines = 0;
  #lastStarted = new Map<string, { started: number; atMs: number }>();

  constructor(
    private readonly run: Run,
    private readonly options: ProgressOptions,
  ) {}

  start(): void {
    if (this.options.quiet) return;
    this.#timer = setInterval(() => this.#draw(), PROGRESS_INTERVAL_MS);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Takes the current figures of every scenario. */
  snapshots(nowMs: number): ProgressSnapshot[] {
    return [...this.run.runners.values()].map((runner) => this.#snapshot(runner, nowMs));
  }

  #snapshot(runner: ScenarioRunner, nowMs: number): ProgressSnapshot {
    const { counts, config } = runner;
    const last = this.#lastStarted.get(runner.name) ?? { started: 0, atMs: this.run.startedAtMs };
    const spanMs = nowMs - last.atMs;
    const achievedPerSec = spanMs > 0 ? (counts.started - last.started) / (spanMs / 1000) : 0;
    this.#lastStarted.set(runner.name, { started: counts.started, atMs: nowMs });
    const ended = counts.completed.success + counts.completed.failure + counts.completed.cancelled;
    let done: number;
    let doneText: string;
    if (config.executor === "shared-iterations" || config.executor === "per-player-iterations") {
      const total =
        config.executor === "shared-iterations"
          ? config.iterations
          : config.iterations * config.players;
      done = total > 0 ? ended / total : 1;
      doneText = `${ended}/${total} it`;
    } else {
      const totalMs =
        config.executor === "ramping-arrival-rate" || config.executor === "ramping-players"
          ? config.stages.reduce((sum, stage) => sum + stage.durationMs, 0)
          : config.durationMs;
      const elapsedMs = runner.startedAtMs === undefined ? 0 : Math.min(totalMs, runner.activeMs);
      done = totalMs > 0 ? elapsedMs / totalMs : 1;
      doneText = `${seconds(elapsedMs)}/${seconds(totalMs)}`;
    }
    return {
      name: runner.name,
      state: runner.state,
      done,
      doneText,
      achievedPerSec,
      desiredPerSec: this.#desiredNow(runner, nowMs),
      busyPlayers: runner.lane.busy.size,
      maxPlayers: runner.lane.maxPlayers,
      failed: counts.completed.failure,
      dropped: counts.dropped,
    };
  }

  #desiredNow(runner: ScenarioRunner, nowMs: number): number | null {
    if (!runner.isOpenModel) return null;
    const schedule = this.run.schedule(runner.name);
    if (!schedule || schedule.paused || !this.run.compositor.schedules.has(schedule)) return 0;
    return (schedule.plan.rateAt(nowMs - schedule.startMs) * 1000) / schedule.plan.timeUnitMs;
  }

  #draw(): void {
    const nowMs = this.run.startedAtMs + this.run.elapsedMs;
    const terminal = this.options.terminal;
    const lines = this.snapshots(nowMs).map((snapshot) => formatProgressLine(snapshot, terminal));
    if (!terminal) {
      const elapsed = `${seconds(this.run.elapsedMs)} elapsed`;
      this.options.write(lines.map((line) => `${elapsed.padStart(12)}  ${line}`).join("\n") + "\n");
      return;
    }
    let text = lines.join("\n") + "\n";
    if (this.#drawnLines > 0) text = `\u001b[${this.#drawnLines}F\u001b[0J` + text;
    this.#drawnLines = lines.length;
    this.options.write(text);
  }
}
