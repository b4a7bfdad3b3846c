import type { SeriesData } from "../metrics/series.ts";
import { DASHBOARD_CSS, DASHBOARD_JS, UPLOT_CSS, UPLOT_JS } from "./assets/embedded.ts";

export interface DashboardHtmlOptions {
  /** "live" polls the harness's routes; "report" draws `data` and makes no request. */
  mode: "live" | "report";
  title: string;
  /** Interval between polls of the live page, in ms. */
  intervalMs: number;
  /** The series a report draws. */
  data?: SeriesData;
  /** HTML placed above the charts, such as the report's summary table; must be escaped. */
  headerHtml?: string;
}

/** Escapes `text` for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Makes script source safe inside a `<script>` element, where `</script` would end it. */
function scriptText(source: string): string {
  return source.replace(/<\/(script)/gi, "<\\/$1");
}

/** Serializes `value` as JSON that no `<` in a string can break out of a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c");
}

const LIVE_CONTROLS = `
<section id="control-panel">
  <h2>Scenarios</h2>
  <p class="muted">
    Rate and pause use PATCH /v1/scenarios/:name.
    <label>Bearer token <input id="token" type="password" autocomplete="off" size="24"></label>
  </p>
  <table id="controls">
    <thead><tr><th>scenario</th><th>executor</th><th>state</th><th>desired</th><th>achieved</th><th>controls</th></tr></thead>
    <tbody></tbody>
  </table>
  <p id="message" role="status"></p>
</section>`;

/**
 * Renders the dashboard page or the report as one self-contained HTML document: uPlot, the
 * page's script and styles are inlined, so it loads with no network and no other file.
 */
export function renderDashboardHtml(options: DashboardHtmlOptions): string {
  const config = { mode: options.mode, intervalMs: options.intervalMs, data: options.data };
  const live = options.mode === "live";
  const status = live
    ? '<span id="connection" class="muted">connecting</span> <span id="run-state" class="muted"></span>'
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${UPLOT_CSS}</style>
<style>${DASHBOARD_CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(options.title)}</h1>${status}
<label class="muted">Scenario <select id="scenario-filter"><option value="">all</option></select></label></header>
${options.headerHtml ?? ""}
${live ? LIVE_CONTROLS : ""}
<main id="views"></main>
<script id="harness-config" type="application/json">${scriptJson(config)}</script>
<script>${scriptText(UPLOT_JS)}</script>
<script>${scriptText(DASHBOARD_JS)}</script>
</body>
</html>
`;
}
