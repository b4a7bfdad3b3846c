import type { Run } from "../core/run.ts";

export interface ScenarioStatus {
  name: string;
  file: string;
  executor: string;
  state: string;
  /** Arrivals per second asked for now (open model), or null for closed-model executors. */
  desiredRate: number | null;
  /** Iterations started per second since the scenario started. */
  achievedRate: number;
  players: { active: number; max: number };
  counts: {
    attempted: number;
    started: number;
    dropped: number;
    success: number;
    failure: number;
    cancelled: number;
  };
}

export interface RunStatus {
  state: string;
  elapsedSeconds: number;
  players: { active: number; idle: number; created: number };
  scenarios: ScenarioStatus[];
}

/** The `GET /v1/status` body of `run`. */
export function runStatus(run: Run, nowMs: number): RunStatus {
  return {
    state: run.state,
    elapsedSeconds: run.elapsedMs / 1000,
    players: {
      active: run.pool.activePlayers,
      idle: run.pool.idleDepth,
      created: run.pool.createdPlayers,
    },
    scenarios: [...run.runners.values()].map((runner) => {
      const schedule = run.schedule(runner.name);
      const elapsedMs =
        runner.startedAtMs === undefined ? 0 : (runner.endedAtMs ?? nowMs) - runner.startedAtMs;
      const { plan } = schedule ?? {};
      let desiredRate: number | null = null;
      if (runner.isOpenModel) {
        const live = schedule && !schedule.paused && run.compositor.schedules.has(schedule);
        desiredRate =
          live && plan ? (plan.rateAt(nowMs - schedule.startMs) * 1000) / plan.timeUnitMs : 0;
      }
      const { counts } = runner;
      return {
        name: runner.name,
        file: runner.definition.file,
        executor: runner.config.executor,
        state: runner.state,
        desiredRate,
        achievedRate: elapsedMs > 0 ? counts.started / (elapsedMs / 1000) : 0,
        players: { active: runner.lane.busy.size, max: runner.lane.maxPlayers },
        counts: {
          attempted: counts.attempted,
          started: counts.started,
          dropped: counts.dropped,
          ...counts.completed,
        },
      };
    }),
  };
}
