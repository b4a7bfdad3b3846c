import { test } from "node:test";
import assert from "node:assert/strict";
import { delay, runHarness, scenarioFolder, startHarness } from "./helpers/cli.ts";

test("harness runs the example scenarios against its built-in target", async () => {
  const harness = startHarness(["--duration", "3s", "--address", "127.0.0.1:0"], {
    timeoutMs: 90_000,
  });
  const port = await harness.port;
  await delay(1500);
  const status = await (await fetch(`http://127.0.0.1:${port}/v1/status`)).json();
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const { code, stdout, stderr } = await harness.exited;

  assert.equal(code, 0, stderr);
  assert.equal(status.state, "running");
  // A user may add files to scenarios/, so the examples must be among the scenarios.
  const names = status.scenarios.map((scenario: { name: string }) => scenario.name);
  for (const example of ["fast-get", "flaky", "items-api", "slow-endpoint"]) {
    assert.ok(names.includes(example), `${example} missing from ${names.join(", ")}`);
  }
  for (const scenario of status.scenarios) assert.equal(typeof scenario.achievedRate, "number");
  assert.match(metrics, /harness_scenario_started_total\{scenario="fast-get"\} [1-9]/);
  assert.match(stdout, new RegExp(`edge-harness summary: ${names.length} scenario\\(s\\)`));
  for (const name of ["fast-get", "flaky", "items-api", "slow-endpoint"]) {
    assert.match(stdout, new RegExp(`^  ${name} `, "m"));
  }
  assert.doesNotMatch(stdout, /NaN/);
  assert.match(stdout, /fast-get[\s\S]*?rate \.+: achieved [\d.]+\/s of desired 20\.00\/s/);
});

test("harness reports each broken file by name and runs the good one", async () => {
  const folder = scenarioFolder({
    "good.mjs":
      "export const options = { rate: 20, duration: '1s' };\nexport default async function () {}\n",
    "syntax-error.ts": "export default async function ( {\n",
    "no-default.mjs": "export const options = { rate: 1 };\nexport function iterate() {}\n",
    "throws-at-import.js":
      "throw new Error('cannot start: missing API key');\nexport default () => {};\n",
    "bad-options.mjs":
      "export const options = { rate: -1, duration: 'soon', vus: 3 };\nexport default () => {};\n",
    "notes.txt": "not a scenario",
  });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 60_000 },
  );

  assert.match(stderr, /syntax-error\.ts/);
  assert.match(stderr, /no-default\.mjs: no default export/);
  assert.match(stderr, /throws-at-import\.js: .*cannot start: missing API key/);
  assert.match(stderr, /bad-options\.mjs: invalid options: .*options\.rate: must be >= 0, got -1/);
  assert.match(
    stderr,
    /bad-options\.mjs: invalid options: .*options\.duration: invalid duration "soon"/,
  );
  assert.match(stderr, /options\.vus: unknown option; this harness calls it "players"/);
  assert.match(stdout, /^  good /m);
  assert.match(stdout, /attempted 20 {2}started 20/);
  assert.doesNotMatch(stdout, /notes/);
  assert.equal(code, 104, "invalid options give k6's exit code 104");
});

test("harness exits 107 when no scenario loads", async () => {
  const folder = scenarioFolder({ "broken.mjs": "export default (" });
  const { code, stderr } = await runHarness([folder, "--address", "127.0.0.1:0", "--quiet"], {
    timeoutMs: 30_000,
  });
  assert.equal(code, 107);
  assert.match(stderr, /broken\.mjs/);
  assert.match(stderr, /no scenario to run/);
});

test("harness stops gracefully on SIGINT and still prints the summary", async () => {
  const folder = scenarioFolder({
    "waits.mjs":
      "export const options = { rate: 5, duration: '60s', gracefulStop: '500ms' };\nexport default (ctx) => ctx.sleep(30000);\n",
  });
  const harness = startHarness([folder, "--address", "127.0.0.1:0", "--quiet"], {
    timeoutMs: 30_000,
  });
  await harness.port;
  await delay(1500);
  const stoppedAt = Date.now();
  harness.signal("SIGINT");
  const { code, stdout, stderr } = await harness.exited;
  const stopMs = Date.now() - stoppedAt;

  assert.equal(code, 105, stderr);
  assert.ok(stopMs < 10_000, `stop took ${stopMs} ms; gracefulStop is 500 ms`);
  assert.match(stderr, /SIGINT: stopping gracefully/);
  assert.match(stdout, /run interrupted \(signal\)/);
  assert.match(stdout, /success 0 {2}failure 0 {2}cancelled [1-9]/);
});

test("harness exits at once on a second SIGINT", async () => {
  const folder = scenarioFolder({
    "ignores.mjs":
      "export const options = { players: 1, duration: '60s', gracefulStop: '30s' };\nexport default () => new Promise(() => {});\n",
  });
  const harness = startHarness([folder, "--address", "127.0.0.1:0", "--quiet"], {
    timeoutMs: 30_000,
  });
  await harness.port;
  await delay(1000);
  harness.signal("SIGINT");
  await delay(500);
  harness.signal("SIGINT");
  const { code, stderr } = await harness.exited;
  assert.equal(code, 105);
  assert.match(stderr, /SIGINT again: exiting now/);
});

test("harness rejects a non-loopback address without a token", async () => {
  const { code, stderr } = await runHarness(["--address", "0.0.0.0:0", "--quiet"], {
    timeoutMs: 30_000,
    env: { HARNESS_TOKEN: "" },
  });
  assert.equal(code, 104);
  assert.match(stderr, /refusing to listen on 0\.0\.0\.0.*set --token or HARNESS_TOKEN/);
});

test("harness reports a bad flag value with its fix", async () => {
  const { code, stderr } = await runHarness(["--duration", "soon"], { timeoutMs: 30_000 });
  assert.equal(code, 2);
  assert.match(stderr, /invalid duration "soon"/);
});

test("harness applies --rate and --duration to every scenario of a folder", async () => {
  const folder = scenarioFolder({
    "plain.mjs": "export default async function () {}\n",
    "typed.ts":
      "export default async function (ctx: { player: { id: number } }): Promise<void> {}\n",
  });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--duration", "2s", "--rate", "50", "--address", "127.0.0.1:0"],
    {
      timeoutMs: 60_000,
    },
  );
  assert.equal(code, 0, stderr);
  assert.equal(stdout.match(/attempted 100 {2}started 100 {2}dropped 0/g)?.length, 2);
  assert.match(
    stdout,
    /plain .*running .*rate [\d.]+\/s of 50\.0\/s/,
    "a progress line per scenario each second",
  );
});
