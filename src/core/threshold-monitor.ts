import type { Recorder } from "./recorder.ts";
import type { RunInterruption } from "./run.ts";
import type { SampleBus } from "./samples.ts";
import type { ScenarioDefinition } from "./scenario-loader.ts";
import {
  ThresholdSet,
  type ThresholdGroup,
  type ThresholdResult,
  type TrendStore,
} from "./thresholds.ts";
import type { CancellationSource, Clock } from "./types.ts";

/** How often thresholds are evaluated during the run, in ms (k6 checks every 2 s). */
export const THRESHOLD_INTERVAL_MS = 2000;

/** The part of `Run` the monitor needs. */
export interface StoppableRun {
  readonly startedAtMs: number;
  stop(source: CancellationSource, interruption: RunInterruption): void;
}

export interface ThresholdMonitorOptions {
  clock: Clock;
  recorder: Recorder;
  createTrend(): TrendStore;
  intervalMs?: number;
}

/** Groups the thresholds of `definitions` by file, with each file's scenario names. */
export function thresholdGroups(definitions: ScenarioDefinition[]): ThresholdGroup[] {
  const byFile = new Map<string, ThresholdGroup & { scenarios: Set<string> }>();
  for (const definition of definitions) {
    let group = byFile.get(definition.file);
    if (!group) {
      group = {
        file: definition.file,
        specs: definition.fileOptions.thresholds,
        scenarios: new Set(),
      };
      byFile.set(definition.file, group);
    }
    group.scenarios.add(definition.name);
  }
  return [...byFile.values()].filter((group) => group.specs.length > 0);
}

/**
 * Evaluates a run's thresholds every `intervalMs` and at the end, publishes each one's state
 * as `harness_threshold_passing`, and stops the run when a threshold with `abortOnFail`
 * fails after its `delayAbortEval`.
 */
export class ThresholdMonitor {
  readonly thresholds: ThresholdSet;
  readonly #options: ThresholdMonitorOptions;
  #run: StoppableRun | undefined;
  #timer: unknown;
  #last: ThresholdResult[] = [];

  constructor(
    definitions: ScenarioDefinition[],
    samples: SampleBus,
    options: ThresholdMonitorOptions,
  ) {
    this.#options = options;
    this.thresholds = new ThresholdSet(thresholdGroups(definitions), options.createTrend);
    if (this.thresholds.size > 0) {
      samples.subscribe(this.thresholds.sources, (sample) => this.thresholds.observe(sample));
    }
    for (const result of this.thresholds.evaluate(options.clock.nowMs(), 0)) {
      options.recorder.thresholdPassing(result.label, true);
    }
  }

  /** Starts the periodic evaluation of `run`'s thresholds. */
  start(run: StoppableRun): void {
    this.#run = run;
    if (this.thresholds.size === 0) return;
    const tick = () => {
      this.evaluate();
      this.#timer = this.#options.clock.setTimer(
        tick,
        this.#options.intervalMs ?? THRESHOLD_INTERVAL_MS,
      );
    };
    this.#timer = this.#options.clock.setTimer(
      tick,
      this.#options.intervalMs ?? THRESHOLD_INTERVAL_MS,
    );
  }

  stop(): void {
    this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /** The results of the latest evaluation. */
  get results(): ThresholdResult[] {
    return this.#last;
  }

  /** Evaluates every threshold now, publishes the results and applies `abortOnFail`. */
  evaluate(): ThresholdResult[] {
    const nowMs = this.#options.clock.nowMs();
    const elapsedMs = this.#run ? nowMs - this.#run.startedAtMs : 0;
    this.#last = this.thresholds.evaluate(nowMs, elapsedMs);
    for (const result of this.#last) {
      this.#options.recorder.thresholdPassing(result.label, result.passing);
    }
    const abort = this.#last.find(
      (result) =>
        !result.passing && result.spec.abortOnFail && elapsedMs >= result.spec.delayAbortEvalMs,
    );
    if (abort && this.#run) {
      this.#run.stop("shutdown", {
        kind: "threshold",
        reason: `threshold ${abort.label} failed (observed ${abort.observed}) and has abortOnFail`,
      });
    }
    return this.#last;
  }
}
