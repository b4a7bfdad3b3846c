import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ScenarioSet } from "../src/core/scenario-set.ts";
import { loadScenarioFile } from "../src/core/scenario-loader.ts";
import { loadModule } from "../src/runtime/module-loader.ts";
import { scenarioFolder } from "./helpers/cli.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { createTestRun, metricValue } from "./helpers/scenarios.ts";

function twoScenarios(rateB: number, withC: boolean): string {
  const c = withC ? `, c: { rate: 5, duration: "60s" }` : "";
  return `export const options = { scenarios: {
  a: { rate: 10, duration: "60s" },
  b: { rate: ${rateB}, duration: "60s" }${c}
} };
export default () => {};
`;
}

async function setup() {
  const folder = scenarioFolder({ "multi.mjs": twoScenarios(10, true) });
  const file = join(folder, "multi.mjs");
  const clock = new FakeClock();
  const definitions = await loadScenarioFile(file, loadModule, 100);
  const { run, metrics, recorder, logger } = createTestRun(definitions, clock);
  const scenarios = new ScenarioSet({ run, loadModule, recorder, logger });
  scenarios.track(definitions);
  await run.start();
  await clock.advance(1000);
  const finish = async () => {
    run.stop();
    await clock.advance(120_000);
    await run.finished;
  };
  return { file, clock, run, metrics, logger, scenarios, finish };
}

test("ScenarioSet reload keeps, restarts and retires by options", async () => {
  const { file, clock, run, metrics, logger, scenarios, finish } = await setup();
  const keptRunner = run.runners.get("multi.a")!;
  const oldB = run.runners.get("multi.b")!;
  writeFileSync(file, twoScenarios(40, false));
  await scenarios.fileChanged(file);
  await clock.advance(1000);

  assert.equal(run.runners.get("multi.a"), keptRunner, "unchanged options keep the runner");
  assert.equal(oldB.state, "finished");
  const newB = run.runners.get("multi.b")!;
  assert.notEqual(newB, oldB);
  assert.equal(newB.state, "running");
  assert.equal(
    await metricValue(metrics, "harness_compositor_desired_rate", { scenario: "multi.b" }),
    40,
  );
  assert.equal(run.runners.get("multi.c")!.state, "finished");
  assert.equal(
    await metricValue(metrics, "harness_compositor_desired_rate", { scenario: "multi.c" }),
    0,
  );
  const startedB = await metricValue(metrics, "harness_scenario_started_total", {
    scenario: "multi.b",
  });
  assert.ok(startedB! >= 10 + 39, `multi.b started ${startedB} over both versions`);
  assert.ok(
    logger.lines.some((line) =>
      /new code for multi\.a; started multi\.b with their options; retired multi\.c/.test(line),
    ),
  );
  await finish();
});

test("ScenarioSet keeps the previous version when a reload fails", async () => {
  const { file, clock, run, metrics, scenarios, finish } = await setup();
  const runner = run.runners.get("multi.a")!;
  writeFileSync(file, "export const options = { rate: -1 };\nexport default () => {};\n");
  await scenarios.fileChanged(file);
  assert.equal(scenarios.problems.length, 1);
  assert.match(scenarios.problems[0]!.reason, /invalid options/);
  assert.equal(scenarios.problems[0]!.atSeconds, 1);
  assert.equal(await metricValue(metrics, "harness_errors_total", { kind: "config" }), 1);
  const before = runner.counts.started;
  await clock.advance(1000);
  assert.equal(run.runners.get("multi.a"), runner);
  assert.ok(runner.counts.started > before);

  writeFileSync(file, twoScenarios(10, true));
  await scenarios.fileChanged(file);
  assert.deepEqual(scenarios.problems, []);
  await finish();
});

test("ScenarioSet retires every scenario of a removed file", async () => {
  const { file, clock, run, scenarios, finish } = await setup();
  await scenarios.fileRemoved(file);
  await clock.advance(100);
  for (const runner of run.runners.values()) assert.equal(runner.state, "finished");
  assert.equal(scenarios.has(file), false);
  await clock.advance(1000);
  assert.equal(run.state, "finished", "a run with no scenario left ends");
  await finish();
});
