import { test } from "node:test";
import assert from "node:assert/strict";
import { BatchedCounter } from "../src/metrics/batched-counter.ts";
import { PromRecorder } from "../src/metrics/recorder.ts";
import { HarnessMetrics } from "../src/metrics/registry.ts";
import { metricValue } from "./helpers/scenarios.ts";

test("batched counts appear when metrics are read", async () => {
  const metrics = new HarnessMetrics({ processMetrics: false });
  const scenario = new PromRecorder(metrics).scenario("checkout");
  for (let index = 0; index < 3; index++) scenario.attempted();
  scenario.completed("failure", 5, 6);

  const labels = { scenario: "checkout" };
  assert.equal(await metricValue(metrics, "harness_scenario_attempted_total", labels), 3);
  const failed = { scenario: "checkout", status: "failure" };
  assert.equal(await metricValue(metrics, "harness_scenario_completed_total", failed), 1);
  scenario.attempted();
  const text = await metrics.metrics();
  assert.match(text, /^harness_scenario_attempted_total\{scenario="checkout"\} 4$/m);
});

test("BatchedCounter rejects invalid increments", () => {
  const metrics = new HarnessMetrics({ processMetrics: false });
  const counter = new BatchedCounter(metrics.playersTotal.labels({}));
  for (const value of [-1, NaN, Infinity]) {
    assert.throws(() => counter.inc(value), RangeError, `increment ${value}`);
  }
});
