import { test } from "node:test";
import assert from "node:assert/strict";
import { SampleBus, type Sample } from "../src/core/samples.ts";
import { ThresholdMonitor } from "../src/core/threshold-monitor.ts";
import type { ScenarioContext } from "../src/core/types.ts";
import { Trend } from "../src/metrics/trend.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { createTestRun, defineScenario } from "./helpers/scenarios.ts";

test("group tags checks and times itself", async () => {
  const clock = new FakeClock();
  const definition = defineScenario(
    "grouped",
    {
      executor: "shared-iterations",
      iterations: 2,
      thresholds: {
        "checks{group:::login}": ["rate==1"],
        "checks{group:::login::mfa}": ["rate==0"],
        "group_duration{group:::login}": ["max<=80"],
      },
    },
    async (ctx: ScenarioContext) => {
      ctx.check(0, { "outside any group": () => true });
      const result = await ctx.group("login", async () => {
        ctx.check(1, { "form shown": (value) => value === 1 });
        await ctx.sleep(50);
        await ctx.group("mfa", () => ctx.check(1, { "code accepted": () => false }));
        await ctx.sleep(30);
        return "signed in";
      });
      assert.equal(result, "signed in");
    },
  );
  const samples = new SampleBus();
  const seen: Sample[] = [];
  samples.subscribe(["checks", "group_duration"], (sample) => void seen.push(sample));
  const { run, recorder } = createTestRun([definition], clock, { samples });
  const monitor = new ThresholdMonitor([definition], samples, {
    clock,
    recorder,
    createTrend: () => new Trend(),
  });
  await run.start();
  monitor.start(run);
  await clock.advance(5000);
  await run.finished;
  const results = monitor.evaluate();
  monitor.stop();

  const groupOf = (check: string) => seen.find((sample) => sample.tags.check === check)?.tags.group;
  assert.equal(groupOf("outside any group"), undefined);
  assert.equal(groupOf("form shown"), "::login");
  assert.equal(groupOf("code accepted"), "::login::mfa");
  const durations = seen
    .filter((sample) => sample.metric === "group_duration")
    .map((sample) => [sample.tags.group, sample.value]);
  assert.deepEqual(durations, [
    ["::login::mfa", 0],
    ["::login", 80],
    ["::login::mfa", 0],
    ["::login", 80],
  ]);
  for (const result of results) assert.equal(result.passing, true, result.label);
  assert.equal(results[0]!.observed, 1);
  assert.equal(results[1]!.observed, 0);
});
