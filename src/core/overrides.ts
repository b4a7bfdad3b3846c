import type { ScenarioConfig } from "./options.ts";

/** Values from flags or `HARNESS_*` variables that replace an option in every scenario. */
export interface ScenarioOverrides {
  durationMs?: number;
  players?: number;
  iterations?: number;
  /** Rate for every scenario, per the scenario's time unit. */
  rate?: number;
  /** Rate per scenario name; wins over `rate`. */
  rateByName?: Record<string, number>;
}

/**
 * Applies `overrides` to one scenario's config and returns the notes worth printing.
 *
 * A rate turns any executor but externally-controlled into constant-arrival-rate, since a
 * rate was asked for; players set `players` of closed-model executors and `maxPlayers`
 * of open-model ones; iterations turn the scenario into shared-iterations, as k6's `-i`.
 */
export function applyOverrides(
  name: string,
  config: ScenarioConfig,
  overrides: ScenarioOverrides,
): string[] {
  const notes: string[] = [];
  const rate = overrides.rateByName?.[name] ?? overrides.rate;
  if (rate !== undefined) {
    if (
      config.executor !== "externally-controlled" &&
      config.executor !== "constant-arrival-rate"
    ) {
      notes.push(
        `${name}: --rate turns its ${config.executor} executor into constant-arrival-rate`,
      );
      config.executor = "constant-arrival-rate";
      config.maxPlayers = Math.max(config.maxPlayers, config.players);
    }
    config.rate = rate;
  }
  if (overrides.durationMs !== undefined) {
    config.durationMs = overrides.durationMs;
    config.maxDurationMs = overrides.durationMs;
    if (config.executor === "ramping-arrival-rate" || config.executor === "ramping-players") {
      notes.push(
        `${name}: --duration does not apply to ${config.executor}; its stages set its length`,
      );
    }
  }
  if (overrides.iterations !== undefined) {
    config.executor = "shared-iterations";
    config.iterations = overrides.iterations;
  }
  if (overrides.players !== undefined) {
    config.players = overrides.players;
    config.maxPlayers = overrides.players;
    config.preAllocatedPlayers = Math.min(config.preAllocatedPlayers, overrides.players);
  }
  return notes;
}
