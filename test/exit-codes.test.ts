import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT } from "../src/cli/exit-codes.ts";
import { serve } from "../src/runtime/serve.ts";
import { delay, repoRoot, runHarness, scenarioFolder, startHarness } from "./helpers/cli.ts";

test("README lists every exit code", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  for (const [name, code] of Object.entries(EXIT)) {
    assert.match(readme, new RegExp(`^\\| ${code} +\\|`, "m"), `exit code ${code} (${name})`);
  }
});

test("harness exits 108 when a scenario calls ctx.abort", async () => {
  const folder = scenarioFolder({
    "gives-up.mjs": `export const options = { rate: 10, duration: "30s" };
export default async function (ctx) {
  if (ctx.player.scenarioIteration === 3) ctx.abort("target returned garbage");
}
`,
  });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 30_000 },
  );
  assert.equal(code, EXIT.scriptAborted, stderr);
  assert.match(stderr, /run aborted by a scenario: target returned garbage/);
  assert.match(stdout, /run interrupted \(script-abort\)/);
});

test("harness exits 106 when its address is taken", async () => {
  const blocker = await serve(() => new Response("busy"), "127.0.0.1", 0);
  try {
    const folder = scenarioFolder({ "any.mjs": "export default async function () {}\n" });
    const { code, stderr } = await runHarness(
      [folder, "--address", `127.0.0.1:${blocker.port}`, "--quiet"],
      { timeoutMs: 30_000 },
    );
    assert.equal(code, EXIT.cannotStartServer, stderr);
    assert.match(stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${blocker.port}`));
  } finally {
    await blocker.close();
  }
});

test("harness exits 99 when abortOnFail stops the run", async () => {
  const folder = scenarioFolder({
    "failing.mjs": `export const options = {
  rate: 20,
  duration: "60s",
  thresholds: { checks: [{ threshold: "rate>0.5", abortOnFail: true }] },
};
export default async function (ctx) { ctx.check(0, { "is one": (v) => v === 1 }); }
`,
  });
  const startedAt = Date.now();
  const { code, stdout, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 40_000 },
  );
  assert.equal(code, EXIT.thresholdsFailed, stderr);
  assert.ok(Date.now() - startedAt < 30_000, "the run stopped long before its 60 s");
  assert.match(stdout, /run interrupted \(threshold\): threshold checks rate>0\.5 failed/);
  assert.match(stdout, /✗ FAIL {2}checks rate>0\.5/);
});

test("linger keeps the server up after the summary", async () => {
  const folder = scenarioFolder({
    "short.mjs": `export const options = { executor: "shared-iterations", iterations: 4 };
export default async function () {}
`,
  });
  const harness = startHarness([folder, "--address", "127.0.0.1:0", "--quiet", "--linger"], {
    timeoutMs: 30_000,
  });
  const port = await harness.port;
  for (let i = 0; i < 100 && !/edge-harness summary/.test(harness.stdout()); i++) await delay(100);
  assert.match(harness.stdout(), /edge-harness summary/);
  await delay(300);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, /harness_scenario_started_total\{scenario="short"\} 4/);
  harness.signal("SIGTERM");
  const { code, stderr } = await harness.exited;
  assert.equal(code, EXIT.ok, stderr);
  assert.match(stderr, /--linger keeps the server up/);
});

test("paused run starts nothing until resumed", async () => {
  const folder = scenarioFolder({
    "held.mjs": `export const options = { rate: 20, duration: "4s" };
export default async function () {}
`,
  });
  const harness = startHarness([folder, "--address", "127.0.0.1:0", "--quiet", "--paused"], {
    timeoutMs: 30_000,
  });
  const port = await harness.port;
  await delay(1000);
  const before = await (await fetch(`http://127.0.0.1:${port}/v1/status`)).json();
  const held = before.scenarios.find((scenario: { name: string }) => scenario.name === "held");
  assert.equal(held.state, "paused");
  assert.equal(held.counts.started, 0);
  const resume = await fetch(`http://127.0.0.1:${port}/v1/status`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ paused: false }),
  });
  assert.equal(resume.status, 200, await resume.text());
  const { code, stdout, stderr } = await harness.exited;
  assert.equal(code, EXIT.ok, stderr);
  const started = Number(/attempted (\d+)/.exec(stdout)?.[1]);
  assert.ok(started > 0, `started ${started} after the resume`);
  assert.ok(started < 80, `started ${started}; the paused second planned none`);
});
