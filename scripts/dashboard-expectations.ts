// Rules that scripts/check-dashboards applies to the panel queries it ran against Prometheus,
// kept apart from the process handling so that test/dashboard-expectations.test.ts can feed
// them made-up results.
import type { SeriesKind } from "../src/metrics/views.ts";

/** One panel query evaluated over the run: one value per 1 s step, NaN where it had none. */
export interface QueryResult {
  dashboard: string;
  title: string;
  /** Series id from views.ts. */
  id: string;
  kind: SeriesKind;
  /** The value that replaced `$scenario`, for templated queries. */
  scenario: string | undefined;
  /** The query as sent, with `$scenario` replaced. */
  expr: string;
  series: Array<{ labels: Record<string, string>; values: number[] }>;
}

/** Something the check-dashboards run provoked, which its panel must show as a non-zero value. */
export interface Expectation {
  what: string;
  /** Returns a problem, or undefined when the panel moved. */
  check(results: QueryResult[]): string | undefined;
}

function describe(result: QueryResult): string {
  const scope = result.scenario === undefined ? "" : ` with $scenario=${result.scenario}`;
  return `${result.dashboard} "${result.title}" (${result.id})${scope}`;
}

function finiteValues(values: number[]): number[] {
  return values.filter(Number.isFinite);
}

/** Checks one query result for missing data and impossible values; returns the problems. */
export function checkQueryResult(result: QueryResult): string[] {
  const where = describe(result);
  if (result.series.length === 0) return [`${where}: no data (query ${result.expr})`];
  const problems: string[] = [];
  for (const series of result.series) {
    const values = finiteValues(series.values);
    const labels = JSON.stringify(series.labels);
    if (values.length === 0) {
      problems.push(`${where} ${labels}: no finite value in ${series.values.length} points`);
      continue;
    }
    const min = Math.min(...values);
    const max = Math.max(...values);
    if (min < 0) problems.push(`${where} ${labels}: negative value ${min}`);
    if (result.kind === "ratio" && max > 1) problems.push(`${where} ${labels}: ratio ${max} > 1`);
  }
  return problems;
}

/**
 * Fails where a scenario's started rate exceeds its attempted rate at the same step.
 * NOTE: this holds only without `maxQueuedArrivals`, which none of the check scenarios set,
 * because a queue that drains starts more iterations than arrive in that window.
 */
export function checkStartedNotAboveAttempted(results: QueryResult[]): string[] {
  const problems: string[] = [];
  const attempted = results.filter((result) => result.id === "attempted_rate");
  for (const attempt of attempted) {
    const start = results.find(
      (result) => result.id === "started_rate" && result.scenario === attempt.scenario,
    );
    if (!start) {
      problems.push(`no started rate next to ${describe(attempt)}`);
      continue;
    }
    for (const startSeries of start.series) {
      const attemptSeries = attempt.series.find(
        (series) => series.labels.scenario === startSeries.labels.scenario,
      );
      if (!attemptSeries) {
        problems.push(`no attempted rate for scenario ${startSeries.labels.scenario}`);
        continue;
      }
      startSeries.values.forEach((startedPerSec, step) => {
        const attemptedPerSec = attemptSeries.values[step]!;
        // Tolerates float rounding only: started never exceeds attempted at a scrape.
        if (startedPerSec > attemptedPerSec + 1e-9) {
          problems.push(
            `scenario ${startSeries.labels.scenario} at step ${step}: started ${startedPerSec}/s ` +
              `above attempted ${attemptedPerSec}/s`,
          );
        }
      });
    }
  }
  return problems;
}

/** Lists the finite values of every series `id` whose labels include `labels`. */
function matchingValues(
  results: QueryResult[],
  id: string,
  labels: Record<string, string>,
): number[] | undefined {
  const matching = results
    .filter((result) => result.id === id)
    .flatMap((result) => result.series)
    .filter((series) =>
      Object.entries(labels).every(([key, value]) => series.labels[key] === value),
    );
  if (matching.length === 0) return undefined;
  return matching.flatMap((series) => finiteValues(series.values));
}

/** Fails where a scenario's started count exceeds its attempted count, at any step. */
export function checkStartedCountNotAboveAttempted(differences: QueryResult["series"]): string[] {
  if (differences.length === 0) return ["started minus attempted: no data"];
  const problems: string[] = [];
  for (const series of differences) {
    const max = Math.max(...finiteValues(series.values));
    if (max > 0) {
      problems.push(`scenario ${series.labels.scenario}: started exceeded attempted by ${max}`);
    }
  }
  return problems;
}

/** Requires a positive value in series `id` whose labels include `labels`. */
export function mustMove(what: string, id: string, labels: Record<string, string>): Expectation {
  return {
    what,
    check(results) {
      const values = matchingValues(results, id, labels);
      const where = `${id} ${JSON.stringify(labels)}`;
      if (!values) return `${what}: no series ${where}`;
      return Math.max(...values) > 0 ? undefined : `${what}: ${where} stayed at zero`;
    },
  };
}

/** Requires the maximum of series `id` with `labels` to equal `expected` within 1%. */
export function mustPeakAt(
  what: string,
  id: string,
  labels: Record<string, string>,
  expected: number,
): Expectation {
  return {
    what,
    check(results) {
      const values = matchingValues(results, id, labels);
      const where = `${id} ${JSON.stringify(labels)}`;
      if (!values || values.length === 0) return `${what}: no value in series ${where}`;
      const max = Math.max(...values);
      if (Math.abs(max - expected) <= expected * 0.01) return undefined;
      return `${what}: ${where} peaked at ${max}, expected ${expected}`;
    },
  };
}

/** What the scenarios of test/fixtures/dashboard-check provoke, panel by panel. */
export const EXPECTATIONS: readonly Expectation[] = [
  mustMove("drops of drops.ts", "starvation_rate", { scenario: "drops" }),
  mustMove("failures of failures.ts", "completed_rate", {
    scenario: "failures",
    status: "failure",
  }),
  mustMove("timeouts of timeouts.ts", "completed_rate", {
    scenario: "timeouts",
    status: "failure",
  }),
  mustMove("cancellations of cancelled.ts", "completed_rate", {
    scenario: "cancelled",
    status: "cancelled",
  }),
  mustMove("timeout cancellations", "cancellations_rate", { source: "timeout" }),
  mustMove("shutdown cancellations", "cancellations_rate", { source: "shutdown" }),
  mustMove("pool execute wait", "execute_wait_p95", {}),
  mustMove("player creation", "players_created_rate", {}),
  mustMove("active players", "players_active", {}),
  mustMove("service time of drops.ts", "duration_p95", { scenario: "drops" }),
  mustMove("pool tick duration", "pool_tick_p95", {}),
  mustMove("compositor tick duration", "compositor_tick_p95", {}),
  mustPeakAt("desired rate of drops.ts", "desired_rate", { scenario: "drops" }, 30),
  mustPeakAt("desired rate of cancelled.ts", "desired_rate", { scenario: "cancelled" }, 2),
];
