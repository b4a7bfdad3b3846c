import { formatDurationMs } from "./duration.ts";
import type { TrendStats } from "./recorder.ts";
import type { RunResult } from "./run.ts";
import {
  buildSummaryData,
  DEFAULT_TREND_STATS,
  trendStat,
  type ScenarioSummary,
  type SummaryData,
  type ThresholdSummary,
  type TrendSummary,
} from "./summary-data.ts";

export { achievedRatePerSec, desiredRatePerSec } from "./summary-data.ts";

export interface SummaryStyle {
  color: boolean;
}

/** Trend statistics in the summary by default, in k6's order. */
export const TREND_STATS = ["avg", "min", "med", "p90", "p95", "p99", "max"] as const;

type Paint = (code: number, text: string) => string;

/** Formats a trend as `avg=1.2ms min=... max=...`, or "no data" when it contains no sample. */
export function formatTrend(stats: TrendStats | null): string {
  if (!stats) return "no data";
  return DEFAULT_TREND_STATS.map(
    (stat) => `${stat}=${formatDurationMs(trendStat(stats, stat))}`,
  ).join(" ");
}

function formatTrendSummary(trend: TrendSummary | null): string {
  if (!trend) return "no data";
  return Object.entries(trend.stats)
    .map(([stat, value]) => `${stat}=${stat === "count" ? value : formatDurationMs(value)}`)
    .join(" ");
}

function formatRate(perSec: number): string {
  return `${perSec >= 100 ? perSec.toFixed(0) : perSec.toFixed(2)}/s`;
}

function percent(rate: number | null): string {
  return rate === null ? "no data" : `${(rate * 100).toFixed(2)}%`;
}

/** Formats the end-of-test summary: one block per scenario, the totals, then thresholds. */
export function formatSummary(input: RunResult | SummaryData, style: SummaryStyle): string {
  const data = "version" in input ? input : buildSummaryData(input);
  const paint: Paint = (code, text) => (style.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [""];
  lines.push(
    paint(
      1,
      `edge-harness summary: ${data.scenarios.length} scenario(s) in ${formatDurationMs(data.durationMs)}`,
    ),
  );
  if (data.interruption) {
    lines.push(
      paint(33, `  run interrupted (${data.interruption.kind}): ${data.interruption.reason}`),
    );
  }
  for (const scenario of data.scenarios) lines.push(...formatScenario(scenario, paint));
  if (data.scenarios.length > 1) lines.push(...formatTotal(data, paint));
  if (data.thresholds.length > 0) lines.push(...formatThresholds(data.thresholds, paint));
  for (const { file, reason } of data.setupErrors) lines.push(paint(31, `  ${file}: ${reason}`));
  lines.push("");
  return lines.join("\n");
}

function formatBlock(
  block: Omit<ScenarioSummary, "name" | "file" | "executor" | "errors" | "rate">,
  paint: Paint,
): string[] {
  const { counts, trends, http } = block;
  const dropped = counts.dropped > 0 ? paint(31, `dropped ${counts.dropped}`) : "dropped 0";
  const lines = [
    `    iterations ......: attempted ${counts.attempted}  started ${counts.started}  ${dropped}`,
    `    completed .......: success ${counts.completed.success}  failure ${counts.completed.failure}  cancelled ${counts.completed.cancelled}`,
    `    service time ....: ${formatTrendSummary(trends.iteration_duration)}`,
    `    start lag .......: ${formatTrendSummary(trends.iteration_start_lag)}  (actual minus planned start)`,
    `    latency .........: ${formatTrendSummary(trends.iteration_latency)}  (from planned start)`,
    `    http_reqs .......: ${http.requests}  failed ${percent(http.failedRate)}`,
    `    http_req_duration: ${formatTrendSummary(trends.http_req_duration)}`,
  ];
  for (const check of block.checks) {
    const mark = check.fails === 0 ? paint(32, "✓") : paint(31, "✗");
    lines.push(
      `    ${mark} ${check.name}: ${percent(check.rate)} (${check.passes} passed, ${check.fails} failed)`,
    );
  }
  return lines;
}

function formatScenario(scenario: ScenarioSummary, paint: Paint): string[] {
  const { rate } = scenario;
  const lines = [
    "",
    paint(36, `  ${scenario.name}`) + `  ${scenario.executor}  ${scenario.file}`,
    ...formatBlock(scenario, paint),
  ];
  lines.splice(
    4,
    0,
    `    rate ............: achieved ${formatRate(rate.achievedPerSec)}` +
      (rate.desiredPerSec === null ? "" : ` of desired ${formatRate(rate.desiredPerSec)}`),
  );
  for (const { message, count } of scenario.errors) {
    lines.push(paint(33, `    error x${count}: ${message}`));
  }
  return lines;
}

function formatTotal(data: SummaryData, paint: Paint): string[] {
  return ["", paint(36, "  all scenarios"), ...formatBlock(data.total, paint)];
}

function formatThresholds(thresholds: ThresholdSummary[], paint: Paint): string[] {
  const lines = ["", paint(1, "  thresholds")];
  for (const threshold of thresholds) {
    const mark = threshold.passing ? paint(32, "✓ pass") : paint(31, "✗ FAIL");
    const observed = threshold.observed === null ? "no data" : formatNumber(threshold.observed);
    lines.push(`    ${mark}  ${threshold.threshold}  (observed ${observed})`);
  }
  return lines;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4);
}
