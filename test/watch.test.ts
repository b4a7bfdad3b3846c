import { test } from "node:test";
import assert from "node:assert/strict";
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { delay, scenarioFolder, startHarness } from "./helpers/cli.ts";
import { controlClient, sampleOf, waitFor } from "./helpers/served.ts";

/** Builds a scenario whose iterations take 300 ms and then pass a check named after `version`. */
function watched(version: string): string {
  return `export const options = { rate: 20, duration: "60s", gracefulStop: "2s", maxPlayers: 40 };
export default async (ctx) => {
  await ctx.sleep(300);
  ctx.check(1, { ${version}: () => true });
};
`;
}

const KEEPER = `export const options = { rate: 5, duration: "60s", gracefulStop: "1s" };
export default () => {};
`;

/** Functional deadline for a file change to show; the design promises one second. */
const DEADLINE_MS = 5000;

const checks = (text: string, version: string) =>
  sampleOf(text, "harness_checks_total", { scenario: "w", check: version, result: "pass" }) ?? 0;

test("--watch adds, reloads, keeps, fixes and retires a file during one run", async () => {
  const folder = scenarioFolder({ "keeper.mjs": KEEPER });
  const file = join(folder, "w.mjs");
  const harness = startHarness([folder, "--watch", "--address", "127.0.0.1:0", "--quiet"], {
    timeoutMs: 120_000,
  });
  const client = controlClient(await harness.port);
  await waitFor(
    "the keeper scenario",
    async () => {
      return (await client.get("/v1/status")).scenarios.length === 1;
    },
    10_000,
  );
  await delay(200);

  // Add: the new file is loaded and scheduled.
  writeFileSync(file, watched("v1"));
  const addMs = await waitFor(
    "w to start",
    async () => {
      return (
        (sampleOf(await client.metrics(), "harness_scenario_started_total", { scenario: "w" }) ??
          0) > 0
      );
    },
    DEADLINE_MS,
  );
  console.log(`added file started in ${addMs.toFixed(0)} ms`);
  const added = await client.get("/v1/scenarios/w");
  assert.equal(added.state, "running");
  assert.equal(added.desiredRate, 20);
  await waitFor("v1 checks", async () => checks(await client.metrics(), "v1") > 0, DEADLINE_MS);

  // Change: running iterations finish on v1, new ones run v2, and no series is duplicated.
  writeFileSync(file, watched("v2"));
  const changeMs = await waitFor(
    "v2 checks",
    async () => {
      return checks(await client.metrics(), "v2") > 0;
    },
    DEADLINE_MS,
  );
  console.log(`changed file ran new code after ${changeMs.toFixed(0)} ms`);
  await delay(600);
  const afterChange = await client.metrics();
  await delay(500);
  const later = await client.metrics();
  assert.equal(checks(later, "v1"), checks(afterChange, "v1"), "no new iteration runs v1");
  assert.ok(checks(later, "v2") > checks(afterChange, "v2"), "v2 keeps running");
  assert.equal(
    sampleOf(later, "harness_cancellations_total", { source: "reload" }),
    0,
    "iterations running at the change finished on the old code instead of being cancelled",
  );
  const startedLines = later
    .split("\n")
    .filter((line) => line.startsWith('harness_scenario_started_total{scenario="w"}'));
  assert.equal(startedLines.length, 1);
  assert.equal((await client.get("/v1/scenarios/w")).state, "running");

  // Break: the previous version keeps running and the error is reported.
  writeFileSync(file, "export default async (ctx) => {\n");
  await waitFor(
    "the load error in status",
    async () => {
      return (await client.get("/v1/status")).loadErrors.length === 1;
    },
    DEADLINE_MS,
  );
  const broken = await client.get("/v1/status");
  assert.match(broken.loadErrors[0].file, /w\.mjs$/);
  assert.ok(broken.loadErrors[0].reason.length > 0);
  const brokenMetrics = await client.metrics();
  assert.equal(sampleOf(brokenMetrics, "harness_errors_total", { kind: "load" }), 1);
  await delay(500);
  assert.ok(checks(await client.metrics(), "v2") > checks(brokenMetrics, "v2"), "v2 still runs");
  assert.equal((await client.get("/v1/scenarios/w")).state, "running");

  // Fix: the error clears and the fixed code runs.
  writeFileSync(file, watched("v3"));
  await waitFor("v3 checks", async () => checks(await client.metrics(), "v3") > 0, DEADLINE_MS);
  assert.deepEqual((await client.get("/v1/status")).loadErrors, []);

  // Remove: the scenario retires gracefully and the keeper runs on.
  unlinkSync(file);
  await waitFor(
    "w to finish",
    async () => {
      return (await client.get("/v1/scenarios/w")).state === "finished";
    },
    DEADLINE_MS,
  );
  const removed = await client.metrics();
  assert.equal(sampleOf(removed, "harness_compositor_desired_rate", { scenario: "w" }), 0);
  await delay(500);
  const afterRemove = await client.metrics();
  assert.equal(
    sampleOf(afterRemove, "harness_scenario_started_total", { scenario: "w" }),
    sampleOf(removed, "harness_scenario_started_total", { scenario: "w" }),
  );
  assert.ok(
    sampleOf(afterRemove, "harness_scenario_started_total", { scenario: "keeper" })! >
      sampleOf(removed, "harness_scenario_started_total", { scenario: "keeper" })!,
  );
  const cancelled = sampleOf(afterRemove, "harness_scenario_completed_total", {
    scenario: "w",
    status: "cancelled",
  });
  assert.equal(cancelled, 0, "iterations of a removed file get gracefulStop to finish");
  assert.equal((await client.get("/v1/scenarios/keeper")).state, "running");

  const stopped = await client.send("PATCH", "/v1/status", { stopped: true });
  assert.equal(stopped.status, 200);
  const { code, stderr } = await harness.exited;
  assert.equal(code, 105);
  assert.match(stderr, /control: loaded .*w\.mjs \(w\) \(requested by the folder watcher\)/);
  assert.match(stderr, /control: reloaded .*w\.mjs: new code for w/);
  assert.match(
    stderr,
    /failed to load scenario .*w\.mjs: .*; w keeps running the previous version/,
  );
  assert.match(stderr, /control: retired .*w\.mjs \(w\) because the file was removed/);
});

test("--watch loads a file that failed at start once it is fixed", async () => {
  const folder = scenarioFolder({
    "keeper.mjs": KEEPER,
    "fixme.mjs": "export default async (ctx) => {\n",
  });
  const harness = startHarness([folder, "--watch", "--address", "127.0.0.1:0", "--quiet"], {
    timeoutMs: 60_000,
  });
  const client = controlClient(await harness.port);
  await waitFor(
    "the keeper scenario",
    async () => (await client.get("/v1/status")).scenarios.length === 1,
    10_000,
  );
  const status = await client.get("/v1/status");
  assert.equal(status.loadErrors.length, 1);
  assert.match(status.loadErrors[0].file, /fixme\.mjs$/);
  assert.equal(status.loadErrors[0].atSeconds, 0);

  writeFileSync(join(folder, "fixme.mjs"), watched("fixed"));
  await waitFor(
    "the fixed file to start",
    async () => (await client.get("/v1/status")).scenarios.length === 2,
    DEADLINE_MS,
  );
  assert.deepEqual((await client.get("/v1/status")).loadErrors, []);
  assert.equal((await client.get("/v1/scenarios/fixme")).state, "running");

  const stopped = await client.send("PATCH", "/v1/status", { stopped: true });
  assert.equal(stopped.status, 200);
  const { code } = await harness.exited;
  assert.equal(code, 105);
});
