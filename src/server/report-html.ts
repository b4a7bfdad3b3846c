import { formatDurationMs } from "../core/duration.ts";
import type { TrendStats } from "../core/recorder.ts";
import type { RunResult } from "../core/run.ts";
import { achievedRatePerSec, desiredRatePerSec } from "../core/summary.ts";
import type { SeriesData } from "../metrics/series.ts";
import { escapeHtml, renderDashboardHtml } from "./dashboard-html.ts";

const COLUMNS = [
  "scenario",
  "executor",
  "attempted",
  "started",
  "dropped",
  "success",
  "failure",
  "cancelled",
  "achieved rate",
  "desired rate",
  "service p50",
  "service p95",
  "service p99",
  "latency p95",
  "HTTP requests",
  "HTTP failed",
  "checks passed",
  "checks failed",
];

function rate(perSec: number | null): string {
  return perSec === null ? "closed model" : `${perSec.toFixed(2)}/s`;
}

function stat(stats: TrendStats | null, name: "med" | "p95" | "p99"): string {
  return stats ? formatDurationMs(stats[name]) : "no data";
}

function scenarioRow(runner: RunResult["runners"][number]): string {
  const { counts } = runner;
  const trends = runner.recorder.trends();
  const http = runner.recorder.httpTotals();
  const checks = runner.recorder.checks();
  const cells: Array<[string, boolean]> = [
    [runner.name, false],
    [runner.config.executor, false],
    [String(counts.attempted), true],
    [String(counts.started), true],
    [String(counts.dropped), true],
    [String(counts.completed.success), true],
    [String(counts.completed.failure), true],
    [String(counts.completed.cancelled), true],
    [rate(achievedRatePerSec(runner)), true],
    [rate(desiredRatePerSec(runner)), true],
    [stat(trends.service, "med"), true],
    [stat(trends.service, "p95"), true],
    [stat(trends.service, "p99"), true],
    [stat(trends.latency, "p95"), true],
    [String(http.requests), true],
    [String(http.failures), true],
    [String(checks.reduce((sum, check) => sum + check.passes, 0)), true],
    [String(checks.reduce((sum, check) => sum + check.fails, 0)), true],
  ];
  const html = cells.map(([text, number]) =>
    number ? `<td class="number">${escapeHtml(text)}</td>` : `<td>${escapeHtml(text)}</td>`,
  );
  return `<tr>${html.join("")}</tr>`;
}

/** Renders the summary table of `result`: one row per scenario, with the end-of-test counts. */
export function renderSummaryTable(result: RunResult): string {
  const head = COLUMNS.map((column) => `<th>${escapeHtml(column)}</th>`).join("");
  const rows = result.runners.map(scenarioRow).join("\n");
  // The wrapper scrolls horizontally when the 18 columns are wider than the window.
  const table = `<table id="summary"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
  return `<div class="table-scroll">${table}</div>`;
}

/**
 * Renders the end-of-run report: the summary table and the five views over the whole run,
 * as one HTML file that opens with no network.
 */
export function renderReportHtml(result: RunResult, data: SeriesData, generatedAt: Date): string {
  const notes = [
    `${result.runners.length} scenario(s) in ${formatDurationMs(result.durationMs)}`,
    `written ${generatedAt.toISOString()}`,
  ];
  if (result.interruption) {
    notes.push(`interrupted (${result.interruption.kind}): ${result.interruption.reason}`);
  }
  const setupErrors = result.setupErrors.map(
    ({ file, reason }) => `<p class="error">${escapeHtml(file)}: ${escapeHtml(reason)}</p>`,
  );
  const headerHtml = [
    `<p class="muted">${escapeHtml(notes.join(", "))}</p>`,
    "<h2>Summary</h2>",
    renderSummaryTable(result),
    ...setupErrors,
  ].join("\n");
  return renderDashboardHtml({
    mode: "report",
    title: "edge-harness report",
    intervalMs: data.intervalMs,
    data,
    headerHtml,
  });
}
