import type { TrendStats } from "./recorder.ts";
import type { RunResult } from "./run.ts";
import type { ScenarioRunner } from "./scenario-runner.ts";
import { thresholdLabel, type ThresholdResult } from "./thresholds.ts";

/** Trend statistics of the summary by default, in k6's notation and order. */
export const DEFAULT_TREND_STATS = ["avg", "min", "med", "p(90)", "p(95)", "p(99)", "max"];

const TREND_STAT_PATTERN = /^(avg|min|med|max|count|p\((\d+(?:\.\d+)?)\))$/;

/**
 * Parses `--summary-trend-stats`: a comma-separated list of avg, min, med, max, count and
 * p(N) with N from 0 to 100.
 *
 * @throws {SyntaxError} naming the first entry that is not one of those.
 */
export function parseTrendStats(text: string): string[] {
  const stats = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const stat of stats) {
    const match = TREND_STAT_PATTERN.exec(stat);
    if (!match || (match[2] !== undefined && Number(match[2]) > 100)) {
      throw new SyntaxError(
        `invalid trend statistic "${stat}": use avg, min, med, max, count or p(N) with N from 0 to 100`,
      );
    }
  }
  if (stats.length === 0) throw new SyntaxError("no trend statistic given; for example avg,p(95)");
  return stats;
}

/** A trend the summary can read, and encode when it is an exact histogram. */
export interface SummaryTrendSource {
  stats(): TrendStats | null;
  /** HdrHistogram's compressed base64 encoding, for exact merges across instances. */
  encode?(): string;
}

/** Source of each scenario's trends, and the merge of them into totals. */
export interface SummaryTrends {
  scenario(name: string): Record<TrendName, SummaryTrendSource>;
  merge(trends: SummaryTrendSource[]): SummaryTrendSource;
}

export type TrendName =
  "iteration_duration" | "iteration_start_lag" | "iteration_latency" | "http_req_duration";
const TREND_NAMES: TrendName[] = [
  "iteration_duration",
  "iteration_start_lag",
  "iteration_latency",
  "http_req_duration",
];

/** One trend in the summary, in ms; null in place of the whole object when it has no sample. */
export interface TrendSummary {
  count: number;
  /** The statistics asked for by `--summary-trend-stats`, keyed as written (`p(95)`). */
  stats: Record<string, number>;
  /** The histogram (microseconds) in HdrHistogram's compressed base64 encoding. */
  hdrHistogram: string | null;
}

export interface CountsSummary {
  attempted: number;
  started: number;
  dropped: number;
  completed: { success: number; failure: number; cancelled: number };
}

export interface ScenarioSummary {
  name: string;
  file: string;
  executor: string;
  counts: CountsSummary;
  /** Iterations started per second while the schedule ran, and what the schedule planned. */
  rate: { achievedPerSec: number; desiredPerSec: number | null };
  trends: Record<TrendName, TrendSummary | null>;
  http: { requests: number; failures: number; failedRate: number | null };
  checks: Array<{ name: string; passes: number; fails: number; rate: number | null }>;
  errors: Array<{ message: string; count: number }>;
}

export interface ThresholdSummary {
  file: string;
  /** `metric{selector} expression`, as in `harness_threshold_passing`. */
  threshold: string;
  metric: string;
  expression: string;
  passing: boolean;
  /** The aggregated value, or null when the metric held no sample. */
  observed: number | null;
}

/** Everything the end-of-test summary shows; `handleSummary(data)` and `--summary-export` get it. */
export interface SummaryData {
  version: 1;
  durationMs: number;
  interruption: { kind: string; reason: string } | null;
  trendStats: string[];
  scenarios: ScenarioSummary[];
  /** All scenarios together. */
  total: Omit<ScenarioSummary, "name" | "file" | "executor" | "errors" | "rate">;
  thresholds: ThresholdSummary[];
  setupErrors: Array<{ file: string; reason: string }>;
}

export interface SummaryInput {
  thresholds?: ThresholdResult[];
  trendStats?: string[];
  /** Exact trends; without them the summary reads each scenario recorder's statistics. */
  trends?: SummaryTrends;
}

/** Builds the summary of `result`. Every number is finite: a figure without data is null. */
export function buildSummaryData(result: RunResult, input: SummaryInput = {}): SummaryData {
  const trendStats = input.trendStats ?? DEFAULT_TREND_STATS;
  const sources = result.runners.map((runner) => trendSources(runner, input.trends));
  const scenarios = result.runners.map((runner, index) =>
    scenarioSummary(runner, sources[index]!, trendStats),
  );
  return {
    version: 1,
    durationMs: result.durationMs,
    interruption: result.interruption ? { ...result.interruption } : null,
    trendStats,
    scenarios,
    total: totalSummary(scenarios, sources, trendStats, input.trends),
    thresholds: (input.thresholds ?? []).map((threshold) => ({
      file: threshold.file,
      threshold: thresholdLabel(threshold.spec),
      metric: threshold.spec.key,
      expression: threshold.spec.expression,
      passing: threshold.passing,
      observed: finiteOrNull(threshold.observed),
    })),
    setupErrors: result.setupErrors.map((error) => ({ ...error })),
  };
}

function trendSources(
  runner: ScenarioRunner,
  trends: SummaryTrends | undefined,
): Record<TrendName, SummaryTrendSource> {
  if (trends) return trends.scenario(runner.name);
  const stats = runner.recorder.trends();
  return {
    iteration_duration: { stats: () => stats.service },
    iteration_start_lag: { stats: () => stats.startLag },
    iteration_latency: { stats: () => stats.latency },
    http_req_duration: { stats: () => stats.http },
  };
}

function scenarioSummary(
  runner: ScenarioRunner,
  sources: Record<TrendName, SummaryTrendSource>,
  trendStats: string[],
): ScenarioSummary {
  const { counts } = runner;
  const http = runner.recorder.httpTotals();
  return {
    name: runner.name,
    file: runner.definition.file,
    executor: runner.config.executor,
    counts: {
      attempted: counts.attempted,
      started: counts.started,
      dropped: counts.dropped,
      completed: { ...counts.completed },
    },
    rate: {
      achievedPerSec: achievedRatePerSec(runner),
      desiredPerSec: desiredRatePerSec(runner),
    },
    trends: trendSummaries(sources, trendStats),
    http: { ...http, failedRate: ratio(http.failures, http.requests) },
    checks: runner.recorder.checks().map((check) => ({
      ...check,
      rate: ratio(check.passes, check.passes + check.fails),
    })),
    errors: [...runner.errors].map(([message, count]) => ({ message, count })),
  };
}

function totalSummary(
  scenarios: ScenarioSummary[],
  sources: Array<Record<TrendName, SummaryTrendSource>>,
  trendStats: string[],
  trends: SummaryTrends | undefined,
): SummaryData["total"] {
  const counts: CountsSummary = {
    attempted: 0,
    started: 0,
    dropped: 0,
    completed: { success: 0, failure: 0, cancelled: 0 },
  };
  const http = { requests: 0, failures: 0 };
  const checks = new Map<string, { passes: number; fails: number }>();
  for (const scenario of scenarios) {
    counts.attempted += scenario.counts.attempted;
    counts.started += scenario.counts.started;
    counts.dropped += scenario.counts.dropped;
    for (const status of ["success", "failure", "cancelled"] as const) {
      counts.completed[status] += scenario.counts.completed[status];
    }
    http.requests += scenario.http.requests;
    http.failures += scenario.http.failures;
    for (const check of scenario.checks) {
      const tally = checks.get(check.name) ?? { passes: 0, fails: 0 };
      tally.passes += check.passes;
      tally.fails += check.fails;
      checks.set(check.name, tally);
    }
  }
  const merged = {} as Record<TrendName, SummaryTrendSource>;
  for (const name of TREND_NAMES) {
    const list = sources.map((source) => source[name]);
    merged[name] = trends
      ? trends.merge(list)
      : list.length === 1
        ? list[0]!
        : { stats: () => null };
  }
  return {
    counts,
    trends: trendSummaries(merged, trendStats),
    http: { ...http, failedRate: ratio(http.failures, http.requests) },
    checks: [...checks].map(([name, tally]) => ({
      name,
      ...tally,
      rate: ratio(tally.passes, tally.passes + tally.fails),
    })),
  };
}

function trendSummaries(
  sources: Record<TrendName, SummaryTrendSource>,
  trendStats: string[],
): Record<TrendName, TrendSummary | null> {
  const result = {} as Record<TrendName, TrendSummary | null>;
  for (const name of TREND_NAMES) result[name] = trendSummary(sources[name], trendStats);
  return result;
}

function trendSummary(source: SummaryTrendSource, trendStats: string[]): TrendSummary | null {
  const stats = source.stats();
  if (!stats || stats.count === 0) return null;
  const values: Record<string, number> = {};
  for (const stat of trendStats) values[stat] = trendStat(stats, stat);
  return { count: stats.count, stats: values, hdrHistogram: source.encode?.() ?? null };
}

/** Reads one statistic of `stats` by its k6 name (`avg`, `count`, `p(95)`). */
export function trendStat(stats: TrendStats, stat: string): number {
  const percentile = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (percentile) return stats.percentile(Number(percentile[1]));
  return stats[stat as "avg" | "min" | "med" | "max" | "count"];
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/**
 * Arrivals per second the scenario's schedule planned on average over its length, rate
 * changes during the run included, or null for closed-model executors.
 */
export function desiredRatePerSec(runner: ScenarioRunner): number | null {
  if (!runner.isOpenModel) return null;
  const plan = runner.ratePlan;
  if (!plan) return (runner.config.rate * 1000) / runner.config.timeUnitMs;
  return plan.endMs > 0 ? plan.arrivalsUntil(plan.endMs) / (plan.endMs / 1000) : 0;
}

/** Iterations started per second while the scenario ran. */
export function achievedRatePerSec(runner: ScenarioRunner): number {
  const activeMs = runner.activeMs;
  return activeMs > 0 ? runner.counts.started / (activeMs / 1000) : 0;
}
