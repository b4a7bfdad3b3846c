import { test } from "node:test";
import assert from "node:assert/strict";
import { ControlError, RunControl } from "../src/core/control.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { createTestRun, defineScenario, metricValue } from "./helpers/scenarios.ts";

const noop = () => {};

async function startRun(definitions: Parameters<typeof createTestRun>[0]) {
  const clock = new FakeClock();
  const test = createTestRun(definitions, clock);
  const control = new RunControl(test.run, test.logger);
  await test.run.start();
  return { ...test, clock, control };
}

function started(run: { runners: Map<string, { counts: { started: number } }> }, name: string) {
  return run.runners.get(name)!.counts.started;
}

test("rate change takes effect within one tick", async () => {
  const { run, clock, control, metrics } = await startRun([
    defineScenario("steady", { rate: 10, duration: "60s", maxPlayers: 50 }, noop),
  ]);
  await clock.advance(5000);
  const before = started(run, "steady");
  assert.ok(Math.abs(before - 50) <= 1, `started ${before} in 5 s at 10/s`);

  control.changeScenario("steady", { ratePerSec: 100 }, "test");
  assert.equal(
    await metricValue(metrics, "harness_compositor_desired_rate", { scenario: "steady" }),
    100,
  );
  await clock.advance(50);
  const afterTick = started(run, "steady") - before;
  assert.ok(afterTick >= 4, `started ${afterTick} in the first 50 ms tick at 100/s, expected 5`);
  await clock.advance(950);
  const inSecond = started(run, "steady") - before;
  assert.ok(Math.abs(inSecond - 100) <= 1, `started ${inSecond} in 1 s at 100/s`);
  run.stop();
  await clock.advance(60_000);
  await run.finished;
});

test("pause of one scenario leaves the other running", async () => {
  const { run, clock, control, metrics } = await startRun([
    defineScenario("paused", { rate: 20, duration: "60s", maxPlayers: 20 }, noop),
    defineScenario("other", { rate: 20, duration: "60s", maxPlayers: 20 }, noop),
  ]);
  await clock.advance(2000);
  control.changeScenario("paused", { paused: true }, "test");
  assert.equal(run.runners.get("paused")!.state, "paused");
  assert.equal(
    await metricValue(metrics, "harness_compositor_desired_rate", { scenario: "paused" }),
    0,
  );
  const pausedBefore = started(run, "paused");
  const otherBefore = started(run, "other");
  const metricBefore = await metricValue(metrics, "harness_scenario_started_total", {
    scenario: "paused",
  });

  await clock.advance(3000);
  assert.equal(started(run, "paused"), pausedBefore);
  assert.equal(
    await metricValue(metrics, "harness_scenario_started_total", { scenario: "paused" }),
    metricBefore,
  );
  const otherGrowth = started(run, "other") - otherBefore;
  assert.ok(Math.abs(otherGrowth - 60) <= 1, `other started ${otherGrowth} in 3 s at 20/s`);

  control.changeScenario("paused", { paused: false }, "test");
  await clock.advance(10);
  const burst = started(run, "paused") - pausedBefore;
  assert.ok(burst <= 1, `resume started ${burst} arrivals in 10 ms; a burst would be about 60`);
  await clock.advance(990);
  const resumed = started(run, "paused") - pausedBefore;
  assert.ok(Math.abs(resumed - 20) <= 1, `started ${resumed} in the first second after resume`);
  run.stop();
  await clock.advance(60_000);
  await run.finished;
});

test("run pause stops every scenario and resume restarts them", async () => {
  const { run, clock, control } = await startRun([
    defineScenario("open", { rate: 10, duration: "60s" }, noop),
    defineScenario("closed", { executor: "constant-players", players: 2, duration: "60s" }, (ctx) =>
      ctx.sleep(100),
    ),
  ]);
  await clock.advance(1000);
  control.setPaused(true, "test");
  assert.equal(control.paused, true);
  await clock.advance(200);
  const open = started(run, "open");
  const closed = started(run, "closed");
  await clock.advance(2000);
  assert.equal(started(run, "open"), open);
  assert.equal(started(run, "closed"), closed);
  control.setPaused(false, "test");
  await clock.advance(1000);
  assert.ok(started(run, "open") > open);
  assert.ok(started(run, "closed") > closed);
  run.stop();
  await clock.advance(60_000);
  await run.finished;
});

test("players change grows and shrinks closed-model loops", async () => {
  const { run, clock, control } = await startRun([
    defineScenario("loops", { executor: "constant-players", players: 2, duration: "60s" }, (ctx) =>
      ctx.sleep(100),
    ),
  ]);
  const runner = run.runners.get("loops")!;
  await clock.advance(500);
  assert.equal(runner.lane.busy.size, 2);
  control.changeScenario("loops", { players: 5 }, "test");
  await clock.advance(10);
  assert.equal(runner.lane.busy.size, 5);
  control.changeScenario("loops", { players: 1 }, "test");
  await clock.advance(300);
  assert.equal(runner.lane.busy.size, 1);
  run.stop();
  await clock.advance(60_000);
  await run.finished;
});

test("operator stop counts cancellations as operator", async () => {
  const { run, clock, control, metrics } = await startRun([
    defineScenario(
      "long",
      { executor: "constant-players", players: 3, duration: "60s", gracefulStop: "1s" },
      (ctx) => ctx.sleep(10_000),
    ),
  ]);
  await clock.advance(500);
  control.stop("203.0.113.9");
  assert.equal(run.state, "stopping");
  await clock.advance(2000);
  const result = await run.finished;
  assert.equal(result.interruption?.kind, "operator");
  assert.equal(
    await metricValue(metrics, "harness_cancellations_total", { source: "operator" }),
    3,
  );
});

const conflicts = [
  {
    name: "rate on a closed-model scenario",
    change: { ratePerSec: 5 },
    target: "closed",
    kind: "conflict",
  },
  {
    name: "players on an open-model scenario",
    change: { players: 3 },
    target: "open",
    kind: "conflict",
  },
  { name: "an unknown scenario", change: { paused: true }, target: "nope", kind: "not-found" },
  {
    name: "a scenario that waits for its startTime",
    change: { paused: true },
    target: "later",
    kind: "conflict",
  },
  {
    name: "rate and players together on an open model",
    change: { ratePerSec: 5, players: 2 },
    target: "open",
    kind: "conflict",
  },
] as const;

for (const { name, change, target, kind } of conflicts) {
  test(`changeScenario rejects ${name} and changes nothing`, async () => {
    const { run, clock, control, logger } = await startRun([
      defineScenario("open", { rate: 10, duration: "60s" }, noop),
      defineScenario(
        "closed",
        { executor: "constant-players", players: 2, duration: "60s" },
        (ctx) => ctx.sleep(100),
      ),
      defineScenario("later", { rate: 10, duration: "60s", startTime: "30s" }, noop),
    ]);
    await clock.advance(1000);
    const openRate = run.schedule("open")!.plan.rateAt(1000);
    const logLines = logger.lines.length;
    assert.throws(
      () => control.changeScenario(target, change, "test"),
      (error: unknown) => error instanceof ControlError && error.kind === kind,
    );
    assert.equal(run.schedule("open")!.plan.rateAt(1000), openRate);
    assert.equal(run.runners.get("open")!.state, "running");
    assert.equal(run.runners.get("closed")!.targetPlayers, 2);
    assert.equal(run.runners.get("later")!.state, "waiting");
    assert.equal(logger.lines.length, logLines);
    run.stop();
    await clock.advance(60_000);
    await run.finished;
  });
}

test("changes after stop get a conflict", async () => {
  const { run, clock, control } = await startRun([
    defineScenario("open", { rate: 10, duration: "60s" }, noop),
  ]);
  await clock.advance(100);
  run.stop();
  for (const attempt of [
    () => control.changeScenario("open", { ratePerSec: 1 }, "test"),
    () => control.setPaused(true, "test"),
    () => control.stop("test"),
  ]) {
    assert.throws(
      attempt,
      (error: unknown) => error instanceof ControlError && error.kind === "conflict",
    );
  }
  await clock.advance(60_000);
  await run.finished;
});

const rateExecutors = [
  {
    executor: "externally-controlled",
    options: { executor: "externally-controlled", rate: 10, duration: "60s", maxPlayers: 50 },
  },
  {
    executor: "ramping-arrival-rate",
    options: {
      executor: "ramping-arrival-rate",
      startRate: 10,
      stages: [{ duration: "60s", target: 100 }],
      maxPlayers: 50,
    },
  },
  {
    executor: "constant-arrival-rate with a 1 min time unit",
    options: { rate: 600, timeUnit: "1m", duration: "60s", maxPlayers: 50 },
  },
];

for (const { executor, options } of rateExecutors) {
  test(`rate change holds flat on ${executor}`, async () => {
    const { run, clock, control, metrics } = await startRun([
      defineScenario("target", options, noop),
    ]);
    await clock.advance(2000);
    control.changeScenario("target", { ratePerSec: 40 }, "test");
    const desired = await metricValue(metrics, "harness_compositor_desired_rate", {
      scenario: "target",
    });
    assert.equal(desired, 40);
    const before = started(run, "target");
    await clock.advance(5000);
    const perSec = (started(run, "target") - before) / 5;
    assert.ok(Math.abs(perSec - 40) <= 0.4, `started ${perSec}/s after setting 40/s`);
    run.stop();
    await clock.advance(60_000);
    await run.finished;
  });
}

test("run pause also holds scenarios that start later", async () => {
  const { run, clock, control } = await startRun([
    defineScenario("now", { rate: 10, duration: "60s" }, noop),
    defineScenario("later", { rate: 10, duration: "60s", startTime: "2s" }, noop),
  ]);
  await clock.advance(1000);
  control.setPaused(true, "test");
  await clock.advance(2000);
  const later = run.runners.get("later")!;
  assert.equal(later.state, "paused");
  assert.equal(later.counts.started, 0);
  control.setPaused(false, "test");
  assert.equal(control.paused, false);
  await clock.advance(1000);
  assert.equal(later.state, "running");
  assert.ok(later.counts.started >= 9, `later started ${later.counts.started} in 1 s at 10/s`);
  run.stop();
  await clock.advance(60_000);
  await run.finished;
});
