import { test } from "node:test";
import assert from "node:assert/strict";
import { PromRecorder } from "../src/metrics/recorder.ts";
import { HarnessMetrics } from "../src/metrics/registry.ts";
import { exponentialBucketsSeconds } from "../src/metrics/units.ts";
import { createApp } from "../src/server/app.ts";
import { systemClock } from "../src/runtime/clock.ts";
import {
  DESIGN_METRICS,
  SCENARIO_SERIES,
  familyTotal,
  parseExposition,
} from "./helpers/prometheus.ts";

async function scrape(metrics: HarnessMetrics): Promise<string> {
  const app = createApp(() => ({ metrics, run: undefined, clock: systemClock }));
  const response = await app.request("/metrics");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /text\/plain/);
  return response.text();
}

test("/metrics lists every metric of the design once with HELP and TYPE", async () => {
  const metrics = new HarnessMetrics();
  const recorder = new PromRecorder(metrics);
  recorder.scenario("checkout");
  recorder.scenario("browse.home");
  const text = await scrape(metrics);
  const families = parseExposition(text);
  const names = families.map((family) => family.name);

  for (const name of DESIGN_METRICS) {
    assert.ok(names.includes(name), `${name} missing from /metrics`);
    assert.equal(
      text.split(`# HELP ${name} `).length - 1,
      1,
      `${name} needs exactly one HELP line`,
    );
    assert.equal(
      text.split(`# TYPE ${name} `).length - 1,
      1,
      `${name} needs exactly one TYPE line`,
    );
  }
  assert.equal(new Set(names).size, names.length, "a metric family appears twice");
  assert.ok(
    names.some((name) => name.startsWith("harness_process_")),
    "process metrics use the harness_ prefix",
  );
  assert.ok(
    names.every((name) => name.startsWith("harness_")),
    "every metric is in the harness_ namespace",
  );
});

test("/metrics has every scenario series at 0 before the first event", async () => {
  const metrics = new HarnessMetrics({ processMetrics: false });
  const recorder = new PromRecorder(metrics);
  recorder.scenario("checkout");
  recorder.scenario("browse.home");
  const text = await scrape(metrics);
  const families = parseExposition(text);
  for (const name of SCENARIO_SERIES) {
    const family = families.find((entry) => entry.name === name)!;
    // parse-prometheus-text-format drops the labels of histogram series, so those are
    // checked on their _count lines.
    const sample = family.type === "HISTOGRAM" ? `${name}_count` : name;
    for (const scenario of ["checkout", "browse.home"]) {
      const line = new RegExp(
        `^${sample}\\{[^}]*scenario="${scenario.replace(".", "\\.")}"[^}]*\\} 0$`,
        "m",
      );
      assert.match(text, line, `${name} has no series at 0 for scenario ${scenario}`);
    }
  }
  const completed = families.find((entry) => entry.name === "harness_scenario_completed_total")!;
  const statuses = completed.metrics
    .filter((sample) => sample.labels?.scenario === "checkout")
    .map((sample) => sample.labels!.status);
  assert.deepEqual(statuses.sort(), ["cancelled", "failure", "success"]);
  for (const source of ["shutdown", "timeout", "operator", "reload"]) {
    assert.equal(familyTotal(families, "harness_cancellations_total", { source }), 0);
  }
});

test("scenario recorder reuses its series for the same name", async () => {
  const metrics = new HarnessMetrics({ processMetrics: false });
  const recorder = new PromRecorder(metrics);
  recorder.scenario("checkout").attempted();
  recorder.scenario("checkout").attempted();
  const families = parseExposition(await metrics.metrics());
  assert.equal(
    familyTotal(families, "harness_scenario_attempted_total", { scenario: "checkout" }),
    2,
  );
});

test("histogram buckets resolve a quarter millisecond up to a minute", () => {
  const buckets = exponentialBucketsSeconds();
  assert.equal(buckets[0], 0.00025);
  assert.ok(buckets.at(-1)! >= 60);
  assert.ok(buckets.every((bound, index) => index === 0 || bound > buckets[index - 1]!));
  assert.throws(() => exponentialBucketsSeconds(0, 60), RangeError);
});

test("HTTP request labels use the name tag and never the raw URL", async () => {
  const metrics = new HarnessMetrics({ processMetrics: false });
  const recorder = new PromRecorder(metrics);
  const scenario = recorder.scenario("api");
  scenario.http({
    method: "GET",
    status: 404,
    name: "/users/:id",
    durationMs: 3,
    sentBytes: 10,
    receivedBytes: 20,
    failure: "status",
  });
  const text = await metrics.metrics();
  assert.match(
    text,
    /harness_http_requests_total\{scenario="api",method="GET",status="404",name="\/users\/:id"\} 1/,
  );
  assert.match(
    text,
    /harness_http_request_failures_total\{scenario="api",name="\/users\/:id",kind="status"\} 1/,
  );
});
