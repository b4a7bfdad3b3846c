import type { Player } from "./player.ts";
import type { CancellationSource } from "./types.ts";

/** Why an iteration's signal fired: a stop, a reload, an operator or its own timeout. */
export class Cancellation extends Error {
  override name = "Cancellation";
  constructor(readonly source: CancellationSource) {
    super(
      source === "timeout"
        ? "iteration timed out"
        : `iteration cancelled by ${source === "shutdown" ? "the stop of the run" : `an ${source}`}`,
    );
  }
}

/** Raised by `ctx.abort()`: ends the whole run, as k6's `test.abort()`. */
export class RunAbort extends Error {
  override name = "RunAbort";
  constructor(readonly reason: string) {
    super(`run aborted by the scenario: ${reason}`);
  }
}

/**
 * One running iteration. Its AbortController is created only when the iteration reads its
 * signal, because most no-op or CPU-bound iterations never do and the hot path stays lean.
 */
export class Iteration {
  #controller: AbortController | undefined;
  /** Set once the iteration is accounted for; a late settle of its promise is then ignored. */
  ended = false;
  timer: unknown;

  constructor(
    readonly player: Player,
    readonly plannedMs: number,
    readonly startedMs: number,
    readonly scenarioIteration: number,
  ) {}

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** The cancellation that ended the iteration, if any. */
  cancellation: Cancellation | undefined;

  /**
   * Waits for `work`, the promise of the iteration function, or for the iteration's
   * cancellation, whichever comes first, so that a timed-out or cancelled iteration frees
   * its player even when its code never settles. Rejects with `work`'s rejection.
   */
  settle(work: PromiseLike<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#wake = resolve;
      work.then(() => resolve(), reject);
    });
  }

  #wake: (() => void) | undefined;

  cancel(source: CancellationSource): void {
    if (this.cancellation) return;
    this.cancellation = new Cancellation(source);
    this.#controller?.abort(this.cancellation);
    this.#wake?.();
  }
}
