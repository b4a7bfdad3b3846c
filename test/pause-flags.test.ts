import { test } from "node:test";
import assert from "node:assert/strict";
import { RunControl } from "../src/core/control.ts";
import { createApp, type AppState } from "../src/server/app.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { createTestRun, defineScenario } from "./helpers/scenarios.ts";

async function setup() {
  const clock = new FakeClock();
  const { run, metrics, logger } = createTestRun(
    [
      defineScenario("open", { rate: 10, duration: "60s", maxPlayers: 20 }, () => {}),
      defineScenario("other", { rate: 10, duration: "60s", maxPlayers: 20 }, () => {}),
    ],
    clock,
  );
  const control = new RunControl(run, logger);
  const state: AppState = { metrics, run, clock, control };
  const app = createApp(() => state);
  await run.start();
  await clock.advance(1000);
  const patch = async (path: string, body: unknown) => {
    const response = await app.request(path, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, `PATCH ${path} ${JSON.stringify(body)}`);
  };
  const scenario = async (name: string) => (await app.request(`/v1/scenarios/${name}`)).json();
  const started = (name: string) => run.runners.get(name)!.counts.started;
  const finish = async () => {
    run.stop();
    await clock.advance(120_000);
    await run.finished;
  };
  return { clock, patch, scenario, started, finish, logger };
}

test("run-wide resume keeps a scenario's own pause", async () => {
  const { clock, patch, scenario, started, finish } = await setup();
  await patch("/v1/scenarios/open", { paused: true });
  await patch("/v1/status", { paused: true });
  await patch("/v1/status", { paused: false });

  assert.equal((await scenario("open")).state, "paused");
  assert.equal((await scenario("open")).desiredRate, 0);
  assert.equal((await scenario("other")).state, "running");
  const openBefore = started("open");
  const otherBefore = started("other");
  await clock.advance(1000);
  assert.equal(started("open"), openBefore, "the paused scenario starts no iteration");
  assert.ok(started("other") > otherBefore, "the other scenario runs again");
  await finish();
});

test("scenario resume waits for run-wide resume", async () => {
  const { clock, patch, scenario, started, finish, logger } = await setup();
  await patch("/v1/scenarios/open", { paused: true });
  await patch("/v1/status", { paused: true });
  await patch("/v1/scenarios/open", { paused: false });

  assert.equal((await scenario("open")).state, "paused", "the run-wide pause still holds");
  const before = started("open");
  await clock.advance(1000);
  assert.equal(started("open"), before);
  assert.ok(logger.lines.some((line) => /stays paused by the run-wide pause/.test(line)));

  await patch("/v1/status", { paused: false });
  assert.equal((await scenario("open")).state, "running");
  await clock.advance(1000);
  assert.ok(started("open") > before, "both pauses cleared, the scenario runs");
  await finish();
});
