import { test } from "node:test";
import assert from "node:assert/strict";
import { formatSummary } from "../src/core/summary.ts";
import type { ScenarioContext } from "../src/core/types.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { createTestRun, defineScenario, metricValue } from "./helpers/scenarios.ts";

const sleepIteration = (ms: number) => (ctx: ScenarioContext) => ctx.sleep(ms);

test("run drops arrivals when players run out and counts each as starvation", async () => {
  const clock = new FakeClock();
  const scenario = defineScenario(
    "starved",
    { rate: 50, duration: "10s", preAllocatedPlayers: 5, maxPlayers: 5 },
    sleepIteration(200),
  );
  const { run, metrics } = createTestRun([scenario], clock);
  await run.start();
  await clock.advance(11_000);
  const result = await run.finished;
  const { counts } = result.runners[0]!;

  assert.equal(counts.attempted, 500);
  assert.ok(
    Math.abs(counts.started - 250) <= 5,
    `started ${counts.started}, expected 250 within 2%`,
  );
  assert.equal(counts.dropped, counts.attempted - counts.started);
  const starvation = await metricValue(metrics, "harness_compositor_idle_starvation_total", {
    scenario: "starved",
  });
  assert.equal(starvation, counts.attempted - counts.started);
  assert.equal(
    await metricValue(metrics, "harness_scenario_attempted_total", { scenario: "starved" }),
    500,
  );
  assert.equal(
    await metricValue(metrics, "harness_scenario_started_total", { scenario: "starved" }),
    counts.started,
  );

  const summary = formatSummary(result, { color: false });
  assert.match(summary, new RegExp(`dropped ${counts.dropped}`));
});

test("run stop cancels iterations in flight and leaves no player behind", async () => {
  const clock = new FakeClock();
  const scenario = defineScenario(
    "long",
    { rate: 10, duration: "60s", maxPlayers: 50, gracefulStop: "1s" },
    sleepIteration(5000),
  );
  const { run, metrics } = createTestRun([scenario], clock);
  const gaugeNames = [
    "harness_players_active",
    "harness_pool_idle_queue_depth",
    "harness_inflight_iterations",
  ];
  const seen: number[] = [];
  await run.start();
  for (let step = 0; step < 30; step++) {
    await clock.advance(100);
    for (const name of gaugeNames) seen.push((await metricValue(metrics, name)) ?? 0);
  }
  assert.ok(run.inflight > 0, "iterations should be in flight before the stop");
  run.stop("shutdown");
  for (let step = 0; step < 20; step++) {
    await clock.advance(100);
    for (const name of gaugeNames) seen.push((await metricValue(metrics, name)) ?? 0);
  }
  const result = await run.finished;
  const { counts } = result.runners[0]!;

  assert.equal(counts.completed.success, 0);
  assert.equal(counts.completed.failure, 0);
  assert.equal(counts.completed.cancelled, counts.started);
  assert.equal(
    await metricValue(metrics, "harness_cancellations_total", { source: "shutdown" }),
    counts.started,
  );
  assert.equal(run.pool.activePlayers, 0);
  assert.equal(run.pool.idleDepth, 0);
  for (const name of gaugeNames)
    assert.equal(await metricValue(metrics, name), 0, `${name} after the run`);
  assert.ok(Math.min(...seen) >= 0, "no gauge may go negative");
});

test("run stop lets iterations finish within gracefulStop", async () => {
  const clock = new FakeClock();
  const scenario = defineScenario(
    "graceful",
    { rate: 10, duration: "60s", maxPlayers: 50, gracefulStop: "2s" },
    sleepIteration(500),
  );
  const { run } = createTestRun([scenario], clock);
  await run.start();
  await clock.advance(1000);
  run.stop("shutdown");
  await clock.advance(3000);
  const { counts } = (await run.finished).runners[0]!;
  assert.equal(counts.completed.cancelled, 0);
  assert.equal(counts.completed.success, counts.started);
});

test("run stop does not wait for an iteration that ignores its signal", async () => {
  const clock = new FakeClock();
  const scenario = defineScenario(
    "stuck",
    { players: 2, duration: "10s", gracefulStop: "1s" },
    () => new Promise(() => {}),
  );
  const { run } = createTestRun([scenario], clock);
  await run.start();
  await clock.advance(500);
  run.stop("shutdown");
  await clock.advance(1500);
  const { counts } = (await run.finished).runners[0]!;
  assert.equal(counts.started, 2);
  assert.equal(counts.completed.cancelled, 2);
});

test("iteration timeout ends it as a failure with the timeout source", async () => {
  const clock = new FakeClock();
  const scenario = defineScenario(
    "slow",
    { rate: 2, duration: "2s", timeout: "300ms" },
    sleepIteration(1000),
  );
  const { run, metrics } = createTestRun([scenario], clock);
  await run.start();
  await clock.advance(5000);
  const { counts, errors } = (await run.finished).runners[0]!;
  assert.equal(counts.started, 4);
  assert.equal(counts.completed.failure, 4);
  assert.equal(counts.completed.cancelled, 0);
  assert.equal(await metricValue(metrics, "harness_cancellations_total", { source: "timeout" }), 4);
  assert.ok([...errors.keys()].some((message) => /timed out/.test(message)));
});

test("constant-players keeps each player busy for the duration", async () => {
  const clock = new FakeClock();
  const scenario = defineScenario("closed", { players: 3, duration: "1s" }, sleepIteration(100));
  const { run } = createTestRun([scenario], clock);
  await run.start();
  await clock.advance(3000);
  const { counts } = (await run.finished).runners[0]!;
  assert.equal(counts.started, 30);
  assert.equal(counts.completed.success, 30);
});

test("shared-iterations runs exactly the iterations asked over its players", async () => {
  const clock = new FakeClock();
  const players = new Set<number>();
  const scenario = defineScenario(
    "shared",
    { executor: "shared-iterations", iterations: 1000, players: 100 },
    async (ctx) => {
      players.add(ctx.player.id);
      await ctx.sleep(1);
    },
  );
  const { run } = createTestRun([scenario], clock);
  await run.start();
  await clock.advance(1000);
  const { counts } = (await run.finished).runners[0]!;
  assert.equal(counts.started, 1000);
  assert.equal(counts.completed.success, 1000);
  assert.equal(players.size, 100);
});

test("summary prints no data for a scenario without samples", async () => {
  const clock = new FakeClock();
  const scenario = defineScenario("idle", { rate: 0, duration: "1s" }, () => {});
  const { run } = createTestRun([scenario], clock);
  await run.start();
  await clock.advance(2000);
  const summary = formatSummary(await run.finished, { color: false });
  assert.match(summary, /service time \.+: no data/);
  assert.doesNotMatch(summary, /NaN/);
});

test("iteration timeout frees the player of a closed-model loop", async () => {
  const clock = new FakeClock();
  const scenario = defineScenario(
    "hangs",
    { players: 1, duration: "3s", timeout: "500ms", gracefulStop: "0s" },
    () => new Promise(() => {}),
  );
  const { run } = createTestRun([scenario], clock);
  await run.start();
  await clock.advance(4000);
  const { counts } = (await run.finished).runners[0]!;
  assert.equal(counts.started, 6);
  assert.equal(counts.completed.failure, 6);
  assert.equal(counts.completed.cancelled, 0);
});

test("iteration timeout frees the player of an arrival", async () => {
  const clock = new FakeClock();
  const scenario = defineScenario(
    "hangs-open",
    { rate: 2, duration: "3s", maxPlayers: 1, preAllocatedPlayers: 1, timeout: "400ms" },
    () => new Promise(() => {}),
  );
  const { run } = createTestRun([scenario], clock);
  await run.start();
  await clock.advance(4000);
  const { counts } = (await run.finished).runners[0]!;
  assert.equal(counts.attempted, 6);
  assert.equal(counts.dropped, 0);
  assert.equal(counts.completed.failure, 6);
});
