/** A virtual user. Its state, not a counter, says whether it is busy. */
export class Player {
  state: "idle" | "busy" = "idle";
  /** Iterations this player has started, over all scenarios. */
  iterations = 0;

  constructor(readonly id: number) {}
}
