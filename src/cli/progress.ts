import type { Run } from "../core/run.ts";
import { achievedRatePerSec, desiredRatePerSec } from "../core/summary.ts";

/** Interval of progress lines, in ms. */
const PROGRESS_INTERVAL_MS = 1000;

export interface ProgressOptions {
  quiet: boolean;
  /** On a terminal the lines are redrawn in place; otherwise each second appends plain lines. */
  terminal: boolean;
  write(text: string): void;
}

/** One line per scenario every second: elapsed time, achieved and desired rate, players, drops. */
export class Progress {
  #timer: ReturnType<typeof setInterval> | undefined;
  #drawnLines = 0;

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

  #draw(): void {
    const lines = [...this.run.runners.values()].map((runner) => {
      const desired = desiredRatePerSec(runner);
      const rate =
        `${achievedRatePerSec(runner).toFixed(1)}/s` +
        (desired === null ? "" : ` of ${desired.toFixed(1)}/s`);
      const { counts } = runner;
      return (
        `${(this.run.elapsedMs / 1000).toFixed(0).padStart(4)}s ${runner.name.padEnd(20)} ${runner.state.padEnd(8)} ` +
        `rate ${rate}  players ${runner.lane.busy.size}/${runner.lane.maxPlayers}  ` +
        `done ${counts.completed.success + counts.completed.failure + counts.completed.cancelled}  ` +
        `failed ${counts.completed.failure}  dropped ${counts.dropped}`
      );
    });
    let text = lines.join("\n") + "\n";
    if (this.options.terminal && this.#drawnLines > 0)
      text = `\u001b[${this.#drawnLines}F\u001b[0J` + text;
    this.#drawnLines = lines.length;
    this.options.write(text);
  }
}
