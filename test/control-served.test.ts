import { test } from "node:test";
import assert from "node:assert/strict";
import { delay, runHarness, scenarioFolder, startHarness } from "./helpers/cli.ts";
import { controlClient, sampleOf, waitFor } from "./helpers/served.ts";

const OPEN = `export const options = { rate: 20, duration: "60s", gracefulStop: "1s", maxPlayers: 20 };
export default () => {};
`;
const CLOSED = `export const options = { executor: "constant-players", players: 2, duration: "60s", gracefulStop: "1s" };
export default (ctx) => ctx.sleep(50);
`;
const EXTRA = `export const options = { rate: 10, duration: "60s", gracefulStop: "1s" };
export default () => {};
`;

const started = (text: string, scenario: string) =>
  sampleOf(text, "harness_scenario_started_total", { scenario }) ?? NaN;

test("served control API steers a running harness", async () => {
  const folder = scenarioFolder({
    "open.mjs": OPEN,
    "closed.mjs": CLOSED,
    "later/extra.mjs": EXTRA,
  });
  const harness = startHarness([folder, "--address", "127.0.0.1:0", "--quiet"], {
    timeoutMs: 90_000,
  });
  const client = controlClient(await harness.port);
  await waitFor(
    "both scenarios to run",
    async () => {
      const status = await client.get("/v1/status");
      return status.scenarios.length === 2;
    },
    10_000,
  );

  const status = await client.get("/v1/status");
  assert.equal(status.state, "running");
  assert.deepEqual((await client.get("/v1/scenarios")).scenarios.length, 2);
  assert.equal((await client.get("/v1/scenarios/open")).desiredRate, 20);

  const rate = await client.send("PATCH", "/v1/scenarios/open", { rate: 50 });
  assert.equal(rate.status, 200);
  assert.equal(
    sampleOf(await client.metrics(), "harness_compositor_desired_rate", { scenario: "open" }),
    50,
  );

  const players = await client.send("PATCH", "/v1/scenarios/closed", { players: 3 });
  assert.equal(players.status, 200);
  await waitFor(
    "three closed-model players",
    async () => {
      const closed = await client.get("/v1/scenarios/closed");
      return closed.players.active === 3;
    },
    5000,
  );

  const paused = await client.send("PATCH", "/v1/scenarios/open", { paused: true });
  assert.equal(paused.status, 200);
  const before = await client.metrics();
  await delay(1000);
  const after = await client.metrics();
  assert.equal(started(after, "open"), started(before, "open"));
  assert.ok(started(after, "closed") > started(before, "closed"), "closed kept running");

  const resumed = await client.send("PATCH", "/v1/scenarios/open", { paused: false });
  assert.equal(resumed.status, 200);
  await delay(100);
  const burst = started(await client.metrics(), "open") - started(after, "open");
  assert.ok(burst <= 10, `resume started ${burst} arrivals in 100 ms at 50/s; a burst would be 50`);

  const invalid = await client.send("PATCH", "/v1/scenarios/open", { rate: -1 });
  assert.equal(invalid.status, 400);
  assert.equal((await invalid.json()).field, "rate");

  const added = await client.send("POST", "/v1/scenarios", { file: "later/extra.mjs" });
  assert.equal(added.status, 201);
  await waitFor(
    "the added scenario to start",
    async () => {
      const text = await client.metrics();
      return started(text, "extra") > 0;
    },
    5000,
  );
  const escape = await client.send("POST", "/v1/scenarios", { file: "../open.mjs" });
  assert.equal(escape.status, 400);

  const document = await client.get("/v1/openapi.json");
  assert.ok(document.paths["/v1/scenarios/{name}"].patch);

  const stopped = await client.send("PATCH", "/v1/status", { stopped: true });
  assert.equal(stopped.status, 200);
  const { code, stdout, stderr } = await harness.exited;
  assert.equal(code, 105, "an operator stop exits as an external abort");
  assert.match(stdout, /edge-harness summary/);
  for (const action of [
    /control: scenario open: rate 20\/s -> 50\/s \(requested by 127\.0\.0\.1\)/,
    /control: scenario closed: players 2 -> 3 \(requested by 127\.0\.0\.1\)/,
    /control: scenario open: paused \(requested by/,
    /control: scenario open: resumed \(requested by/,
    /control: loaded .*extra\.mjs \(extra\) \(requested by 127\.0\.0\.1\)/,
    /control: stopped the run \(requested by 127\.0\.0\.1\)/,
  ]) {
    assert.match(stderr, action);
  }
  assert.equal(stderr.match(/control: /g)?.length, 6, "each action is logged once");
});

test("served token and rate ceiling guard changes", async () => {
  const folder = scenarioFolder({ "open.mjs": OPEN });
  const args = [folder, "--address", "127.0.0.1:0", "--quiet", "--max-rate", "30"];
  const harness = startHarness(args, {
    timeoutMs: 60_000,
    env: { HARNESS_TOKEN: "t0ken-for-tests" },
  });
  const port = await harness.port;
  const anonymous = controlClient(port);
  await waitFor(
    "the scenario to run",
    async () => {
      return (await anonymous.get("/v1/status")).scenarios.length === 1;
    },
    10_000,
  );

  const missing = await anonymous.send("PATCH", "/v1/scenarios/open", { rate: 1 });
  assert.equal(missing.status, 401);
  const wrong = await anonymous.send(
    "PATCH",
    "/v1/status",
    { stopped: true },
    {
      authorization: "Bearer t0ken-for-test",
    },
  );
  assert.equal(wrong.status, 401);
  const status = await anonymous.get("/v1/status");
  assert.equal(status.state, "running");
  assert.equal(status.scenarios[0].desiredRate, 20);

  const owner = controlClient(port, "t0ken-for-tests");
  const tooFast = await owner.send("PATCH", "/v1/scenarios/open", { rate: 31 });
  assert.equal(tooFast.status, 400);
  const tooFastBody = await tooFast.json();
  assert.equal(tooFastBody.field, "rate");
  assert.match(tooFastBody.error, /<=30, got 31/);
  const allowed = await owner.send("PATCH", "/v1/scenarios/open", { rate: 30 });
  assert.equal(allowed.status, 200);
  assert.equal((await allowed.json()).desiredRate, 30);

  const stopped = await owner.send("PATCH", "/v1/status", { stopped: true });
  assert.equal(stopped.status, 200);
  const { code } = await harness.exited;
  assert.equal(code, 105);
});

test("harness refuses an IPv6 wildcard address without a token", async () => {
  const { code, stderr } = await runHarness(["--address", "[::]:0", "--quiet"], {
    timeoutMs: 30_000,
    env: { HARNESS_TOKEN: "" },
  });
  assert.equal(code, 104);
  assert.match(stderr, /refusing to listen on ::, .*without a token: set --token or HARNESS_TOKEN/);
});

test("harness rejects a negative --max-rate", async () => {
  const { code, stderr } = await runHarness(["--max-rate", "-5"], { timeoutMs: 30_000 });
  assert.equal(code, 2);
  assert.match(stderr, /expected a number >= 0, got "-5"/);
});
