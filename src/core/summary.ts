import { formatDurationMs } from "./duration.ts";
import type { TrendStats } from "./recorder.ts";
import type { RunResult } from "./run.ts";
import type { ScenarioRunner } from "./scenario-runner.ts";

export interface SummaryStyle {
  color: boolean;
}

/** Trend statistics in the summary, in k6's order. */
export const TREND_STATS = ["avg", "min", "med", "p90", "p95", "p99", "max"] as const;

/** Formats a trend as `avg=1.2ms min=... max=...`, or "no data" when it holds no sample. */
export function formatTrend(stats: TrendStats | null): string {
  if (!stats) return "no data";
  return TREND_STATS.map((stat) => `${stat}=${formatDurationMs(stats[stat])}`).join(" ");
}

/** Arrivals per second the scenario's schedule planned on average, or null for closed-model executors. */
export function desiredRatePerSec(runner: ScenarioRunner): number | null {
  if (!runner.isOpenModel) return null;
  const { config } = runner;
  if (config.executor === "ramping-arrival-rate") {
    const durationMs = config.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
    const arrivals = runner.plannedArrivals;
    return durationMs > 0 ? arrivals / (durationMs / 1000) : 0;
  }
  return (config.rate * 1000) / config.timeUnitMs;
}

/** Iterations started per second while the scenario ran. */
export function achievedRatePerSec(runner: ScenarioRunner): number {
  const activeMs = runner.activeMs;
  return activeMs > 0 ? runner.counts.started / (activeMs / 1000) : 0;
}

function formatRate(perSec: number): string {
  return `${perSec >= 100 ? perSec.toFixed(0) : perSec.toFixed(2)}/s`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "no data" : `${((part / whole) * 100).toFixed(2)}%`;
}

/** The end-of-test summary as text, one block per scenario. */
export function formatSummary(result: RunResult, style: SummaryStyle): string {
  const paint = (code: number, text: string) =>
    style.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const lines: string[] = [""];
  lines.push(
    paint(
      1,
      `edge-harness summary: ${result.runners.length} scenario(s) in ${formatDurationMs(result.durationMs)}`,
    ),
  );
  if (result.interruption) {
    lines.push(
      paint(33, `  run interrupted (${result.interruption.kind}): ${result.interruption.reason}`),
    );
  }
  for (const runner of result.runners) lines.push(...formatScenario(runner, paint));
  for (const { file, reason } of result.setupErrors) lines.push(paint(31, `  ${file}: ${reason}`));
  lines.push("");
  return lines.join("\n");
}

function formatScenario(
  runner: ScenarioRunner,
  paint: (code: number, text: string) => string,
): string[] {
  const { counts, config } = runner;
  const trends = runner.recorder.trends();
  const http = runner.recorder.httpTotals();
  const desired = desiredRatePerSec(runner);
  const dropped = counts.dropped > 0 ? paint(31, `dropped ${counts.dropped}`) : "dropped 0";
  const lines = [
    "",
    paint(36, `  ${runner.name}`) + `  ${config.executor}  ${runner.definition.file}`,
    `    iterations ......: attempted ${counts.attempted}  started ${counts.started}  ${dropped}`,
    `    completed .......: success ${counts.completed.success}  failure ${counts.completed.failure}  cancelled ${counts.completed.cancelled}`,
    `    rate ............: achieved ${formatRate(achievedRatePerSec(runner))}` +
      (desired === null ? "" : ` of desired ${formatRate(desired)}`),
    `    service time ....: ${formatTrend(trends.service)}`,
    `    start lag .......: ${formatTrend(trends.startLag)}  (actual minus planned start)`,
    `    latency .........: ${formatTrend(trends.latency)}  (from planned start)`,
    `    http_reqs .......: ${http.requests}  failed ${percent(http.failures, http.requests)}`,
    `    http_req_duration: ${formatTrend(trends.http)}`,
  ];
  for (const check of runner.recorder.checks()) {
    const total = check.passes + check.fails;
    const mark = check.fails === 0 ? paint(32, "✓") : paint(31, "✗");
    lines.push(
      `    ${mark} ${check.name}: ${percent(check.passes, total)} (${check.passes} passed, ${check.fails} failed)`,
    );
  }
  for (const [message, count] of runner.errors)
    lines.push(paint(33, `    error x${count}: ${message}`));
  return lines;
}
