import type { Stage } from "./options.ts";

/** A change of the player count at `atMs` from the scenario's start. */
export interface PlayerStep {
  atMs: number;
  players: number;
}

/**
 * The player counts of a ramping-players scenario as a list of steps.
 *
 * Within a stage that moves linearly from `from` to `to` players over D ms, the count moves
 * by one each time the line crosses a whole number: step i (1 to |to - from|) falls at
 * D * i / |to - from| ms into the stage. From 0 to 10 players over 10 s, the first player
 * starts at 1,000 ms and the tenth at 10,000 ms. From 10 down to 0 over 5 s, one player
 * retires every 500 ms. A stage of 0 ms jumps to its target at once.
 */
export class PlayerRamp {
  readonly steps: PlayerStep[] = [];
  readonly durationMs: number;
  /** Highest count of the ramp, so the scenario's lane can hold every player. */
  readonly maxPlayers: number;

  constructor(
    readonly startPlayers: number,
    stages: Stage[],
  ) {
    let from = startPlayers;
    let stageStartMs = 0;
    for (const stage of stages) {
      const to = Math.round(stage.target);
      const diff = Math.abs(to - from);
      const direction = Math.sign(to - from);
      if (diff > 0 && stage.durationMs === 0) this.steps.push({ atMs: stageStartMs, players: to });
      else {
        for (let i = 1; i <= diff; i++) {
          const atMs = stageStartMs + (stage.durationMs * i) / diff;
          this.steps.push({ atMs, players: from + direction * i });
        }
      }
      from = to;
      stageStartMs += stage.durationMs;
    }
    this.durationMs = stageStartMs;
    this.maxPlayers = Math.max(startPlayers, ...this.steps.map((step) => step.players));
  }

  /** Players planned at `elapsedMs` from the start. */
  playersAt(elapsedMs: number): number {
    let players = this.startPlayers;
    for (const step of this.steps) {
      if (step.atMs > elapsedMs) break;
      players = step.players;
    }
    return players;
  }
}
