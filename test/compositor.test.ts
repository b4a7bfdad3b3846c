import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "./helpers/fake-clock.ts";
import { createTestRun, defineScenario } from "./helpers/scenarios.ts";

const noop = () => {};

async function runArrivals(options: Record<string, unknown>, runForMs: number, lateMs = 0) {
  const clock = new FakeClock();
  clock.lateMs = lateMs;
  const { run } = createTestRun([defineScenario("arrivals", options, noop)], clock);
  await run.start();
  await clock.advance(runForMs);
  const result = await run.finished;
  return result.runners[0]!.counts;
}

const cases = [
  { name: "30/s for 30 s", options: { rate: 30, duration: "30s" }, expected: 900, lateMs: 0 },
  { name: "0.5/s for 60 s", options: { rate: 0.5, duration: "60s" }, expected: 30, lateMs: 0 },
  {
    name: "1000/s for 60 s, ticks 1.5 ms late",
    options: { rate: 1000, duration: "60s", maxPlayers: 50 },
    expected: 60_000,
    lateMs: 1.5,
  },
  {
    name: "7 per 3 s for 10 s",
    options: { rate: 7, timeUnit: "3s", duration: "10s" },
    expected: 24,
    lateMs: 0,
  },
];

for (const { name, options, expected, lateMs } of cases) {
  test(`compositor starts exactly ${expected} arrivals at ${name}`, async () => {
    const counts = await runArrivals(
      { executor: "constant-arrival-rate", ...options },
      70_000,
      lateMs,
    );
    assert.equal(counts.attempted, expected);
    assert.equal(counts.started, expected);
    assert.equal(counts.dropped, 0);
    assert.equal(counts.completed.success, expected);
  });
}

test("compositor spreads arrivals within a tick", async () => {
  const clock = new FakeClock();
  const startsMs: number[] = [];
  const { run } = createTestRun(
    [
      defineScenario(
        "spread",
        { rate: 100, duration: "1s" },
        () => void startsMs.push(clock.nowMs()),
      ),
    ],
    clock,
  );
  await run.start();
  await clock.advance(2000);
  await run.finished;
  assert.equal(startsMs.length, 100);
  const gaps = startsMs.slice(1).map((t, i) => t - startsMs[i]!);
  assert.ok(Math.min(...gaps) >= 9.99, `smallest gap ${Math.min(...gaps)} ms, expected 10 ms`);
  assert.ok(Math.max(...gaps) <= 10.01, `largest gap ${Math.max(...gaps)} ms, expected 10 ms`);
});

test("compositor counts late ticks as start lag, not lost arrivals", async () => {
  const clock = new FakeClock();
  clock.lateMs = 25;
  const { run, recorder } = createTestRun(
    [defineScenario("late", { rate: 200, duration: "2s" }, noop)],
    clock,
  );
  await run.start();
  await clock.advance(5000);
  const result = await run.finished;
  assert.equal(result.runners[0]!.counts.started, 400);
  const latency = recorder.scenario("late").trends().latency!;
  assert.ok(latency.max >= 20, `max start lag ${latency.max} ms, expected about 25 ms`);
});

test("ramping-arrival-rate from 0 to 100/s over 10 s starts 500", async () => {
  const counts = await runArrivals(
    {
      executor: "ramping-arrival-rate",
      startRate: 0,
      stages: [{ duration: "10s", target: 100 }],
      maxPlayers: 50,
    },
    20_000,
  );
  assert.equal(counts.started, 500);
});

test("compositor yields at a rate beyond the process and drops what it never released", async () => {
  const clock = new FakeClock();
  clock.lateMs = 5;
  const { run, logger } = createTestRun(
    [defineScenario("flood", { rate: 1e12, duration: "50ms", maxPlayers: 10 }, noop)],
    clock,
  );
  await run.start();
  await clock.advance(200);
  const { counts } = (await run.finished).runners[0]!;
  assert.equal(counts.attempted, 5e10);
  assert.equal(counts.dropped, counts.attempted - counts.started);
  assert.ok(counts.started > 0);
  assert.ok(logger.lines.some((line) => /were never released/.test(line)));
});
