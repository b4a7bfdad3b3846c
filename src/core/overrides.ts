import { OPEN_MODEL_EXECUTORS, type ScenarioConfig, type Stage } from "./options.ts";

/** Values from flags or `HARNESS_*` variables that replace an option in every scenario. */
export interface ScenarioOverrides {
  durationMs?: number;
  players?: number;
  iterations?: number;
  /** Rate for every scenario, per the scenario's time unit. */
  rate?: number;
  /** Rate per scenario name; wins over `rate`. */
  rateByName?: Record<string, number>;
  /** Stages for every scenario: players, or arrivals per time unit for arrival-rate ones. */
  stages?: Stage[];
}

/**
 * Applies `overrides` to one scenario's config and returns the notes worth printing.
 *
 * A rate turns any executor but externally-controlled into constant-arrival-rate, since a
 * rate was asked for; players set `players` of closed-model executors and `maxPlayers`
 * of open-model ones; iterations turn the scenario into shared-iterations, as k6's `-i`.
 * Stages turn an arrival-rate scenario into ramping-arrival-rate and any other into
 * ramping-players, as k6's `-s`.
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
  if (overrides.stages !== undefined) applyStages(name, config, overrides.stages, notes);
  if (overrides.players !== undefined) {
    config.players = overrides.players;
    config.maxPlayers = overrides.players;
    config.preAllocatedPlayers = Math.min(config.preAllocatedPlayers, overrides.players);
  }
  return notes;
}

function applyStages(name: string, config: ScenarioConfig, stages: Stage[], notes: string[]): void {
  const open = OPEN_MODEL_EXECUTORS.has(config.executor);
  const executor = open ? "ramping-arrival-rate" : "ramping-players";
  if (config.executor !== executor) {
    notes.push(`${name}: --stage turns its ${config.executor} executor into ${executor}`);
  }
  if (!open) {
    config.startPlayers = Math.min(config.startPlayers, config.players);
    config.maxPlayers = Math.max(config.maxPlayers, ...stages.map((stage) => stage.target));
  }
  config.executor = executor;
  config.stages = stages.map((stage) => ({
    durationMs: stage.durationMs,
    target: open ? stage.target : Math.round(stage.target),
  }));
}
