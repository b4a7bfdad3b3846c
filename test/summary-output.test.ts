import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import * as hdr from "hdr-histogram-js";
import type { SummaryData } from "../src/core/summary-data.ts";
import { formatProgressLine } from "../src/cli/progress.ts";
import { createTargetApp } from "../src/target/app.ts";
import { serve } from "../src/runtime/serve.ts";
import { runHarness, scenarioFolder } from "./helpers/cli.ts";

/** Starts the built-in target in this process, so the test can read its own counts. */
async function startTarget() {
  const server = await serve(createTargetApp().fetch, "127.0.0.1", 0);
  const url = `http://127.0.0.1:${server.port}`;
  return {
    url,
    stats: async () =>
      (await (await fetch(`${url}/stats`)).json()) as {
        requests: number;
        byStatus: Record<string, number>;
      },
    close: () => server.close(),
  };
}

const CHECKED_SCENARIO = `export const options = {
  scenarios: {
    ok: { executor: "shared-iterations", iterations: 30, players: 3 },
    errors: { executor: "per-player-iterations", iterations: 4, players: 2, tags: { flow: "bad" } },
  },
};
export default async function (ctx) {
  const path = ctx.scenario.name.endsWith("errors") ? "/status/503" : "/fast";
  const response = await ctx.http.get(ctx.env.TARGET_URL + path);
  ctx.check(response, { "status is 200": (r) => r.status === 200 });
}
`;

test("summary counts match the target's own counts", async () => {
  const target = await startTarget();
  try {
    const folder = scenarioFolder({ "mixed.mjs": CHECKED_SCENARIO });
    const exportPath = join(folder, "summary.json");
    const outPath = join(folder, "samples.jsonl");
    const { code, stdout, stderr } = await runHarness(
      [
        folder,
        "--address",
        "127.0.0.1:0",
        "--quiet",
        "-e",
        `TARGET_URL=${target.url}`,
        "--summary-export",
        exportPath,
        "--out",
        `json=${outPath}`,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(code, 0, stderr);
    const stats = await target.stats();
    assert.equal(stats.requests, 38);
    assert.equal(stats.byStatus["200"], 30);
    assert.equal(stats.byStatus["503"], 8);

    const data = JSON.parse(readFileSync(exportPath, "utf8")) as SummaryData;
    assert.equal(data.total.http.requests, stats.requests);
    assert.equal(data.total.http.failures, stats.byStatus["503"]);
    assert.equal(data.total.counts.started, 38);
    assert.equal(data.total.counts.completed.success, 38);
    const okScenario = data.scenarios.find((scenario) => scenario.name === "mixed.ok")!;
    assert.equal(okScenario.http.requests, stats.byStatus["200"]);
    assert.equal(okScenario.trends.http_req_duration!.count, 30);
    const check = data.total.checks.find((entry) => entry.name === "status is 200")!;
    assert.equal(check.passes, 30);
    assert.equal(check.fails, 8);

    assert.match(stdout, /^ {2}mixed\.ok /m);
    assert.match(stdout, /^ {2}all scenarios/m);
    assert.match(stdout, /http_reqs \.+: 38 {2}failed 21\.05%/);
    assert.match(stdout, /✗ status is 200: 78\.95% \(30 passed, 8 failed\)/);

    const lines = readFileSync(outPath, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const requests = lines.filter((line) => line.type === "Point" && line.metric === "http_reqs");
    assert.equal(requests.length, stats.requests);
    const failed = lines.filter(
      (line) => line.type === "Point" && line.metric === "http_req_failed" && line.data.value === 1,
    );
    assert.equal(failed.length, 8);
    assert.ok(
      failed.every((line) => line.data.tags.flow === "bad" && line.data.tags.status === "503"),
    );
    const declared = lines.filter((line) => line.type === "Metric").map((line) => line.metric);
    assert.ok(declared.includes("http_req_duration"));
    assert.equal(new Set(declared).size, declared.length, "each metric is declared once");
  } finally {
    await target.close();
  }
});

test("summary export holds exact mergeable histograms", async () => {
  const folder = scenarioFolder({
    "steady.mjs": `export const options = { executor: "shared-iterations", iterations: 25, players: 5 };
export default async function (ctx) { await ctx.sleep(1 + (ctx.player.iteration % 3)); }
`,
  });
  const exportPath = join(folder, "summary.json");
  const { code, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet", "--summary-export", exportPath],
    { timeoutMs: 60_000 },
  );
  assert.equal(code, 0, stderr);
  const data = JSON.parse(readFileSync(exportPath, "utf8")) as SummaryData;
  const trend = data.scenarios[0]!.trends.iteration_duration!;
  assert.equal(trend.count, 25);
  const histogram = hdr.decodeFromCompressedBase64(trend.hdrHistogram!);
  assert.equal(histogram.totalCount, 25);
  const twice = hdr.decodeFromCompressedBase64(trend.hdrHistogram!);
  twice.add(histogram);
  assert.equal(twice.totalCount, 50, "two instances' histograms merge by adding");
  assert.equal(
    twice.getValueAtPercentile(95),
    histogram.getValueAtPercentile(95),
    "merging a histogram with itself keeps its percentiles",
  );
  const total = hdr.decodeFromCompressedBase64(data.total.trends.iteration_duration!.hdrHistogram!);
  assert.equal(total.totalCount, 25);
});

test("run without samples prints no data and exports null", async () => {
  const folder = scenarioFolder({
    "idle.mjs": `export const options = { rate: 0, duration: "500ms", thresholds: { http_req_duration: ["p(95)<100"] } };
export default async function () {}
`,
  });
  const exportPath = join(folder, "summary.json");
  const { code, stdout, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet", "--summary-export", exportPath],
    { timeoutMs: 60_000 },
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /service time \.+: no data/);
  assert.match(stdout, /http_req_duration: no data/);
  assert.match(stdout, /http_reqs \.+: 0 {2}failed no data/);
  assert.match(stdout, /✓ pass {2}http_req_duration p\(95\)<100 {2}\(observed no data\)/);
  assert.doesNotMatch(stdout, /NaN/);
  const text = readFileSync(exportPath, "utf8");
  assert.doesNotMatch(text, /NaN|Infinity/);
  const data = JSON.parse(text) as SummaryData;
  assert.equal(data.scenarios[0]!.trends.iteration_duration, null);
  assert.equal(data.scenarios[0]!.trends.http_req_duration, null);
  assert.equal(data.scenarios[0]!.http.failedRate, null);
  assert.equal(data.total.trends.iteration_latency, null);
  assert.equal(data.thresholds[0]!.observed, null);
  assert.equal(data.thresholds[0]!.passing, true);
});

test("handleSummary replaces the summary output", async () => {
  const folder = scenarioFolder({
    "custom.mjs": `export const options = { executor: "shared-iterations", iterations: 3 };
export default async function () {}
export function handleSummary(data) {
  return {
    stdout: "custom summary: " + data.total.counts.started + " started\\n",
    [data.scenarios[0].file.replace(/custom\\.mjs$/, "report.json")]: JSON.stringify(data.total.counts),
  };
}
`,
  });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 60_000 },
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /custom summary: 3 started/);
  assert.doesNotMatch(stdout, /edge-harness summary/);
  const report = JSON.parse(readFileSync(join(folder, "report.json"), "utf8"));
  assert.equal(report.started, 3);
});

test("handleSummary that throws falls back to the summary", async () => {
  const folder = scenarioFolder({
    "broken-report.mjs": `export const options = { executor: "shared-iterations", iterations: 2 };
export default async function () {}
export function handleSummary() { throw new Error("report template missing"); }
`,
  });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 60_000 },
  );
  // The files handleSummary was to write are missing, so the run does not pass.
  assert.equal(code, 111, stderr);
  assert.match(stderr, /handleSummary failed: report template missing/);
  assert.match(stdout, /edge-harness summary/);
});

test("no-summary skips the summary, handleSummary and export", async () => {
  const folder = scenarioFolder({
    "quiet.mjs": `export const options = { executor: "shared-iterations", iterations: 2 };
export default async function () {}
export function handleSummary() { return { stdout: "handled\\n" }; }
`,
  });
  const exportPath = join(folder, "summary.json");
  const { code, stdout, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet", "--no-summary", "--summary-export", exportPath],
    { timeoutMs: 60_000 },
  );
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stdout, /edge-harness summary|handled/);
  assert.equal(existsSync(exportPath), false);
});

test("summary-trend-stats picks the trend columns", async () => {
  const folder = scenarioFolder({
    "few.mjs": `export const options = { executor: "shared-iterations", iterations: 5 };
export default async function () {}
`,
  });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet", "--summary-trend-stats", "count,p(99.9),max"],
    { timeoutMs: 60_000 },
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /service time \.+: count=5 p\(99\.9\)=\S+ max=\S+\n/);
  assert.doesNotMatch(stdout, /avg=/);
});

test("progress line draws a bar on a terminal", () => {
  const snapshot = {
    name: "checkout",
    state: "running",
    done: 0.5,
    doneText: "15s/30s",
    achievedPerSec: 19.5,
    desiredPerSec: 20,
    busyPlayers: 3,
    maxPlayers: 20,
    failed: 1,
    dropped: 2,
  };
  const bar = formatProgressLine(snapshot, true);
  assert.match(bar, /^checkout +\[={12}> {11}\] +15s\/30s {2}rate 19\.5\/s of 20\.0\/s/);
  assert.match(bar, /players 3\/20 {2}failed 1 {2}dropped 2$/);
  const plain = formatProgressLine(snapshot, false);
  assert.equal(
    plain,
    "checkout running 15s/30s  rate 19.5/s of 20.0/s  players 3/20  failed 1  dropped 2",
  );
  assert.match(formatProgressLine({ ...snapshot, done: 1 }, true), /\[={24}\]/);
});
