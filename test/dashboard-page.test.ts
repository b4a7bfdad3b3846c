import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildEmbeddedModule } from "../scripts/embedded-assets.ts";
import { HarnessMetrics } from "../src/metrics/registry.ts";
import { SeriesSampler, type SeriesData } from "../src/metrics/series.ts";
import { allViewSeries, VIEWS } from "../src/metrics/views.ts";
import { createApp, type AppState } from "../src/server/app.ts";
import { escapeHtml, renderDashboardHtml } from "../src/server/dashboard-html.ts";
import { CHROMIUM_PATH, chartPoints, openBrowser, saveScreenshot } from "./helpers/browser.ts";
import { delay, repoRoot, runHarness, scenarioFolder, startHarness } from "./helpers/cli.ts";
import { FakeClock } from "./helpers/fake-clock.ts";

const PANEL_COUNT = VIEWS.reduce((sum, view) => sum + view.panels.length, 0);
const FIXTURES = "test/fixtures/dashboard-check";

function assertChromium(): void {
  assert.ok(
    existsSync(CHROMIUM_PATH),
    `${CHROMIUM_PATH} not found: install Debian's chromium (apt-get install -y chromium)`,
  );
}

/** Polls `probe` every 250 ms until it returns a value, or fails after `timeoutMs`. */
async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await delay(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last error: ${last}`);
}

test("embedded assets match their sources", async () => {
  const committed = readFileSync(join(repoRoot, "src/server/assets/embedded.ts"), "utf8");
  assert.equal(
    committed,
    await buildEmbeddedModule(),
    "src/server/assets/embedded.ts is stale; run node bin/run-ts.mjs scripts/embed-assets.ts",
  );
});

test("dashboard html inlines everything it needs", () => {
  const html = renderDashboardHtml({ mode: "live", title: "a <b>", intervalMs: 1000 });
  assert.match(html, /<title>a &lt;b&gt;<\/title>/);
  assert.doesNotMatch(html, /<script[^>]+src=/, "no external script");
  assert.doesNotMatch(html, /<link[^>]+href=/, "no external stylesheet");
  assert.match(html, /var uPlot=/);
  assert.equal(escapeHtml(`<&"'>`), "&lt;&amp;&quot;&#39;&gt;");
});

test("dashboard html keeps embedded data inside its script", () => {
  const data: SeriesData = {
    intervalMs: 1000,
    timesSec: [1],
    views: [
      {
        uid: "v",
        title: "</script><script>alert(1)</script>",
        byScenario: false,
        panels: [],
      },
    ],
  };
  const html = renderDashboardHtml({ mode: "report", title: "r", intervalMs: 1000, data });
  assert.equal(html.match(/<\/script>/g)?.length, 3, "only the three script elements close");
  assert.match(html, /\\u003c\/script>\\u003cscript>alert\(1\)/);
});

test("GET / and GET /v1/series serve the live dashboard", async () => {
  const clock = new FakeClock();
  const metrics = new HarnessMetrics({ processMetrics: false });
  const series = new SeriesSampler(metrics, { clock });
  const state: AppState = { metrics, run: undefined, clock, series };
  const app = createApp(() => state);
  await series.sample();

  const page = await app.request("/");
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  assert.match(await page.text(), /id="views"/);

  const response = await app.request("/v1/series");
  assert.equal(response.status, 200);
  const data = (await response.json()) as SeriesData;
  assert.equal(data.intervalMs, 1000);
  assert.equal(data.timesSec.length, 1);
  assert.deepEqual(
    data.views.map((view) => view.uid),
    VIEWS.map((view) => view.uid),
  );
  const ids = new Set(
    data.views.flatMap((v) => v.panels.flatMap((p) => p.series.map((s) => s.id))),
  );
  assert.ok(ids.has("players_active"), "gauges have a point from the first sample");
  assert.ok(ids.size <= allViewSeries().length);
});

test("GET /v1/series starts a sampler when the state has none", async () => {
  const clock = new FakeClock();
  const metrics = new HarnessMetrics({ processMetrics: false });
  const state: AppState = { metrics, run: undefined, clock };
  const app = createApp(() => state);
  assert.equal((await app.request("/v1/series")).status, 200);
  await delay(20);
  await clock.advance(1000);
  await delay(20);
  const data = (await (await app.request("/v1/series")).json()) as SeriesData;
  assert.equal(data.timesSec.length, 2, "one sample at the first request, one a second later");
});

test("dashboard page draws every chart in chromium", async () => {
  assertChromium();
  const token = "page-test-token";
  const harness = startHarness(
    [FIXTURES, "--target", "--quiet", "-d", "40s", "--address", "127.0.0.1:0", "--token", token],
    { timeoutMs: 90_000 },
  );
  const browser = await openBrowser();
  try {
    const base = `http://127.0.0.1:${await harness.port}`;
    const outside: string[] = [];
    await browser.context.route("**/*", (route) => {
      if (route.request().url().startsWith(base)) return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    await browser.page.goto(`${base}/`);

    // Six samples: five seconds of run, so every [5s] window of the views is full.
    const charts = await eventually("every chart to draw points", 30_000, async () => {
      const points = await chartPoints(browser.page);
      const ready =
        points.length === PANEL_COUNT &&
        points.every((chart) => chart.times >= 6 && chart.points > 1);
      return ready ? points : undefined;
    });
    assert.equal(charts.length, PANEL_COUNT);
    for (const chart of charts) assert.ok(chart.points > 1, `${chart.title} has no line`);
    const canvases = await browser.page.locator(".panel canvas").count();
    assert.ok(canvases >= PANEL_COUNT, `${canvases} canvases for ${PANEL_COUNT} panels`);
    assert.match((await browser.page.textContent("#connection")) ?? "", /^live/);
    await saveScreenshot(browser.page, "dashboard-page");

    await browser.page.selectOption("#scenario-filter", "drops");
    const filtered = await eventually("the scenario filter to apply", 10_000, async () => {
      const chart = (await chartPoints(browser.page)).find(
        (c) => c.title === "Completions by status",
      );
      return chart && chart.labels.every((label) => label.startsWith("drops ")) ? chart : undefined;
    });
    assert.deepEqual(filtered.labels.sort(), ["drops cancelled", "drops failure", "drops success"]);
    const overview = (await chartPoints(browser.page)).find((c) => c.title === "Active players");
    assert.deepEqual(overview?.labels, ["active"], "views not templated by scenario stay whole");
    await browser.page.selectOption("#scenario-filter", "");

    const row = browser.page.locator('#controls tr[data-scenario="failures"]');
    await row.waitFor({ timeout: 10_000 });
    await browser.page.fill("#token", token);
    await row.locator("input.rate").fill("7");
    await row.locator("button.set-rate").click();
    await eventually("the rate change to apply", 10_000, async () => {
      const text = (await browser.page.textContent("#message")) ?? "";
      return /applied/.test(text) ? text : undefined;
    });
    const status = (await (await fetch(`${base}/v1/status`)).json()) as {
      scenarios: Array<{ name: string; desiredRate: number | null; state: string }>;
    };
    const failures = status.scenarios.find((scenario) => scenario.name === "failures");
    assert.equal(failures?.desiredRate, 7, "the harness runs failures at the page's rate");

    await browser.page.locator('#controls tr[data-scenario="drops"] button.pause').click();
    await eventually("drops to pause", 10_000, async () => {
      const body = (await (await fetch(`${base}/v1/scenarios/drops`)).json()) as {
        state: string;
      };
      return body.state === "paused" ? body : undefined;
    });

    assert.deepEqual(outside, [], "the page requested nothing beyond the harness");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    harness.signal("SIGTERM");
    await harness.exited;
  }
});

test("html report opens offline with charts", async () => {
  assertChromium();
  const folder = mkdtempSync(join(tmpdir(), "harness-report-"));
  const reportPath = join(folder, "report.html");
  const args = [FIXTURES, "--target", "--quiet", "-d", "6s", "--address", "127.0.0.1:0"];
  const run = await runHarness([...args, "--report", reportPath], { timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /report written to/);
  assert.ok(existsSync(reportPath), "the report file exists");

  const browser = await openBrowser();
  try {
    const requested: string[] = [];
    await browser.context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      requested.push(url);
      return route.abort();
    });
    await browser.context.setOffline(true);
    await browser.page.goto(`file://${reportPath}`);
    const charts = await eventually("the report's charts", 10_000, async () => {
      const points = await chartPoints(browser.page);
      return points.length === PANEL_COUNT ? points : undefined;
    });
    for (const chart of charts) assert.ok(chart.points > 1, `${chart.title} has no line`);
    const rows = await browser.page.locator("#summary tbody tr").allTextContents();
    assert.equal(rows.length, 4, "one summary row per scenario");
    assert.ok(rows.some((row) => row.startsWith("drops")));
    await browser.page.setViewportSize({ width: 1300, height: 900 });
    const layout = await browser.page.$eval("#summary", (table) => {
      const box = table.parentElement!;
      return {
        pageWidth: document.documentElement.scrollWidth,
        windowWidth: window.innerWidth,
        boxRight: box.getBoundingClientRect().right,
        boxOverflow: getComputedStyle(box).overflowX,
        tableWidth: table.scrollWidth,
        boxWidth: box.clientWidth,
      };
    });
    assert.ok(layout.pageWidth <= layout.windowWidth, `page is ${layout.pageWidth} px wide`);
    assert.ok(layout.boxRight <= layout.windowWidth, `table box ends at ${layout.boxRight} px`);
    if (layout.tableWidth > layout.boxWidth) {
      assert.equal(layout.boxOverflow, "auto", "a table wider than the window scrolls");
    }
    await saveScreenshot(browser.page, "html-report");
    assert.deepEqual(requested, [], "the report requested nothing");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("unwritable report path stops before the run", async () => {
  const folder = scenarioFolder({
    "noop.ts": `export const options = { executor: "constant-arrival-rate", rate: 5, duration: "1s" };
export default async function () {}
`,
  });
  const reportPath = join(folder, "missing-folder", "report.html");
  const args = [folder, "--quiet", "--address", "127.0.0.1:0", "--report", reportPath];
  const run = await runHarness(args, { timeoutMs: 30_000 });
  assert.equal(run.code, 104, run.stderr);
  assert.match(run.stderr, /--report: cannot write .*missing-folder/);
  assert.equal(existsSync(reportPath), false);
});
