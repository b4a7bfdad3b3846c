/** Process exit codes; those with a k6 equivalent keep k6's number. */
export const EXIT = {
  ok: 0,
  /** Bad command-line usage, as commander reports it. */
  usage: 2,
  /** At least one threshold failed (k6: ThresholdsHaveFailed). */
  thresholdsFailed: 99,
  /** Invalid options or flags (k6: InvalidConfig). */
  invalidConfig: 104,
  /** Stopped from outside: SIGINT, SIGTERM or the control API (k6: ExternalAbort). */
  externalAbort: 105,
  /** The server could not listen on its address (k6: CannotStartRESTAPI). */
  cannotStartServer: 106,
  /** A scenario file failed to load, or its setup or teardown threw (k6: ScriptException). */
  scriptError: 107,
  /** A scenario called ctx.abort() (k6: ScriptAborted). */
  scriptAborted: 108,
  /**
   * An output (`--out`, `--summary-export`, `--report`, a `handleSummary` file) failed to
   * write during or after a run that otherwise passed, or `handleSummary` threw. k6 has no
   * such code.
   */
  outputFailed: 111,
} as const;
