import { test } from "node:test";
import assert from "node:assert/strict";
import { loadScenarioFile } from "../src/core/scenario-loader.ts";
import { PlayerRamp } from "../src/core/player-ramp.ts";
import { desiredRatePerSec } from "../src/core/summary-data.ts";
import type { ScenarioContext } from "../src/core/types.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { createTestRun, defineScenario } from "./helpers/scenarios.ts";

type Iterate = (ctx: ScenarioContext) => unknown;

/** Runs one scenario on a fake clock for `runForMs` and returns its runner after the end. */
async function runScenario(options: Record<string, unknown>, iterate: Iterate, runForMs: number) {
  const clock = new FakeClock();
  const { run, recorder } = createTestRun([defineScenario("s", options, iterate)], clock);
  await run.start();
  await clock.advance(runForMs);
  const result = await run.finished;
  return { runner: result.runners[0]!, recorder, clock };
}

const sleepMs = (ms: number) => (ctx: ScenarioContext) => ctx.sleep(ms);

test("constant-arrival-rate starts rate times duration", async () => {
  const { runner } = await runScenario(
    { executor: "constant-arrival-rate", rate: 50, duration: "10s" },
    () => {},
    12_000,
  );
  assert.equal(runner.counts.started, 500);
  assert.equal(runner.counts.dropped, 0);
});

test("ramping-arrival-rate follows stages through rate 0", async () => {
  // 20/s for 2 s (40), 20 down to 0 over 2 s (20), 0 for 2 s (0), 0 up to 20 over 2 s (20).
  const { runner } = await runScenario(
    {
      executor: "ramping-arrival-rate",
      startRate: 20,
      stages: [
        { duration: "2s", target: 20 },
        { duration: "2s", target: 0 },
        { duration: "2s", target: 0 },
        { duration: "2s", target: 20 },
      ],
    },
    () => {},
    10_000,
  );
  assert.equal(runner.counts.started, 80);
  assert.equal(desiredRatePerSec(runner), 10, "80 arrivals over 8 s");
});

test("ramping-arrival-rate counts drops when players run out", async () => {
  const { runner } = await runScenario(
    {
      executor: "ramping-arrival-rate",
      stages: [{ duration: "1s", target: 100 }],
      maxPlayers: 5,
      preAllocatedPlayers: 5,
    },
    sleepMs(10_000),
    20_000,
  );
  assert.equal(runner.counts.attempted, 50);
  assert.equal(runner.counts.started, 5);
  assert.equal(runner.counts.dropped, 45);
});

test("constant-players runs each player back to back", async () => {
  const { runner } = await runScenario(
    { executor: "constant-players", players: 10, duration: "10s" },
    sleepMs(100),
    12_000,
  );
  assert.equal(runner.counts.started, 1000);
  assert.equal(runner.counts.completed.success, 1000);
});

test("ramping-players ramps up and down by whole players", async () => {
  // Player j (0-based) starts at (j + 1) s and retires at (20 - j) s: 10 * (19 - 2j) iterations.
  const { runner } = await runScenario(
    {
      executor: "ramping-players",
      startPlayers: 0,
      stages: [
        { duration: "10s", target: 10 },
        { duration: "10s", target: 0 },
      ],
      gracefulRampDown: "0s",
    },
    sleepMs(100),
    25_000,
  );
  assert.equal(runner.counts.started, 1000);
  assert.equal(runner.counts.completed.success, 1000);
  assert.equal(runner.counts.completed.cancelled, 0);
  assert.equal(runner.lane.maxPlayers, 10);
});

test("ramping-players cancels after gracefulRampDown", async () => {
  const players: number[] = [];
  const { runner, clock } = await runScenario(
    {
      executor: "ramping-players",
      startPlayers: 2,
      stages: [
        { duration: "1s", target: 2 },
        { duration: "0s", target: 1 },
        { duration: "5s", target: 1 },
      ],
      gracefulRampDown: "500ms",
      gracefulStop: "1s",
    },
    (ctx) => {
      players.push(ctx.player.id);
      return ctx.sleep(2500);
    },
    20_000,
  );
  // Slot 1 is cut at 1.5 s; slot 0 runs 0-2.5 s, 2.5-5 s, and 5 s to the stop at 7 s.
  assert.equal(runner.counts.started, 4);
  assert.equal(runner.counts.completed.success, 2);
  assert.equal(runner.counts.completed.cancelled, 2);
  assert.equal(new Set(players).size, 2);
  assert.ok(clock.nowMs() >= 7000);
});

test("ramping-players holds its count at each time", () => {
  const ramp = new PlayerRamp(2, [
    { durationMs: 4000, target: 6 },
    { durationMs: 0, target: 1 },
    { durationMs: 1000, target: 1 },
  ]);
  const cases = [
    { atMs: 0, players: 2 },
    { atMs: 999, players: 2 },
    { atMs: 1000, players: 3 },
    { atMs: 3999, players: 5 },
    { atMs: 4000, players: 1 },
    { atMs: 4500, players: 1 },
  ];
  for (const { atMs, players } of cases) {
    assert.equal(ramp.playersAt(atMs), players, `players at ${atMs} ms`);
  }
  assert.equal(ramp.maxPlayers, 6);
  assert.equal(ramp.durationMs, 5000);
});

test("shared-iterations starts exactly 1000 with 100 players", async () => {
  const byPlayer = new Map<number, number>();
  const { runner } = await runScenario(
    { executor: "shared-iterations", iterations: 1000, players: 100 },
    async (ctx) => {
      byPlayer.set(ctx.player.id, (byPlayer.get(ctx.player.id) ?? 0) + 1);
      await ctx.sleep((ctx.player.id % 7) * 10);
    },
    60_000,
  );
  assert.equal(runner.counts.attempted, 1000);
  assert.equal(runner.counts.started, 1000);
  assert.equal(runner.counts.completed.success, 1000);
  assert.equal(byPlayer.size, 100);
});

test("shared-iterations with instant iterations stays exact", async () => {
  const { runner } = await runScenario(
    { executor: "shared-iterations", iterations: 1000, players: 100 },
    () => {},
    1000,
  );
  assert.equal(runner.counts.started, 1000);
});

test("per-player-iterations runs the count on each player", async () => {
  const byPlayer = new Map<number, number>();
  const { runner } = await runScenario(
    { executor: "per-player-iterations", iterations: 20, players: 10 },
    async (ctx) => {
      byPlayer.set(ctx.player.id, (byPlayer.get(ctx.player.id) ?? 0) + 1);
      await ctx.sleep(50 + ctx.player.id);
    },
    60_000,
  );
  assert.equal(runner.counts.started, 200);
  assert.deepEqual([...byPlayer.values()], Array(10).fill(20));
});

test("shared-iterations ends at maxDuration", async () => {
  const { runner, clock } = await runScenario(
    { executor: "shared-iterations", iterations: 1000, players: 2, maxDuration: "5s" },
    sleepMs(100),
    60_000,
  );
  assert.equal(runner.counts.started, 100);
  assert.equal(runner.counts.completed.success, 100);
  assert.ok(runner.endedAtMs! <= 5000, `ended at ${runner.endedAtMs} ms`);
  assert.ok(clock.nowMs() >= 5000);
});

test("externally-controlled takes a rate from outside", async () => {
  const clock = new FakeClock();
  const { run } = createTestRun(
    [
      defineScenario(
        "ext",
        { executor: "externally-controlled", rate: 10, duration: "10s" },
        () => {},
      ),
    ],
    clock,
  );
  await run.start();
  await clock.advance(5000);
  run.compositor.setRate(run.schedule("ext")!, 20);
  await clock.advance(10_000);
  const result = await run.finished;
  assert.equal(result.runners[0]!.counts.started, 150);
  assert.equal(desiredRatePerSec(result.runners[0]!), 15, "10/s for 5 s, then 20/s for 5 s");
});

test("startTime delays the first iteration", async () => {
  const startsMs: number[] = [];
  const clock = new FakeClock();
  const { run } = createTestRun(
    [
      defineScenario("late", { rate: 10, duration: "1s", startTime: "2s" }, () => {
        startsMs.push(clock.nowMs());
      }),
    ],
    clock,
  );
  await run.start();
  await clock.advance(5000);
  await run.finished;
  assert.equal(startsMs.length, 10);
  assert.equal(startsMs[0], 2000);
  assert.equal(startsMs.at(-1), 2900);
});

test("gracefulStop lets iterations finish, then cancels", async () => {
  const { runner } = await runScenario(
    { executor: "constant-players", players: 3, duration: "1s", gracefulStop: "2s" },
    (ctx) => ctx.sleep(ctx.player.id === 1 ? 1500 : 5000),
    10_000,
  );
  assert.equal(runner.counts.completed.success, 1);
  assert.equal(runner.counts.completed.cancelled, 2);
});

test("options.scenarios runs each entry with its exec, env and tags", async () => {
  const seen: Array<{ scenario: string; env: string | undefined; fn: string }> = [];
  const module = {
    options: {
      scenarios: {
        browse: {
          executor: "per-player-iterations",
          iterations: 3,
          players: 1,
          env: { MODE: "browse" },
          tags: { flow: "b" },
        },
        buy: {
          executor: "shared-iterations",
          iterations: 2,
          exec: "checkout",
          env: { MODE: "buy" },
          startTime: "1s",
        },
      },
    },
    default: (ctx: ScenarioContext) => {
      seen.push({ scenario: ctx.scenario.name, env: ctx.env.MODE, fn: "default" });
    },
    checkout: (ctx: ScenarioContext) => {
      seen.push({ scenario: ctx.scenario.name, env: ctx.env.MODE, fn: "checkout" });
    },
  };
  const definitions = await loadScenarioFile("/virtual/shop.ts", async () => module);
  assert.deepEqual(
    definitions.map((d) => d.name),
    ["shop.browse", "shop.buy"],
  );
  assert.deepEqual(definitions[0]!.config.tags, { flow: "b" });
  const clock = new FakeClock();
  const { run } = createTestRun(definitions, clock);
  await run.start();
  await clock.advance(3000);
  await run.finished;
  assert.deepEqual(seen, [
    { scenario: "shop.browse", env: "browse", fn: "default" },
    { scenario: "shop.browse", env: "browse", fn: "default" },
    { scenario: "shop.browse", env: "browse", fn: "default" },
    { scenario: "shop.buy", env: "buy", fn: "checkout" },
    { scenario: "shop.buy", env: "buy", fn: "checkout" },
  ]);
});
