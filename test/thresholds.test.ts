import { test } from "node:test";
import assert from "node:assert/strict";
import { OptionsError, parseFileOptions } from "../src/core/options.ts";
import { SampleBus, type Sample, type SampleMetric } from "../src/core/samples.ts";
import { ThresholdMonitor } from "../src/core/threshold-monitor.ts";
import {
  parseThresholdExpression,
  parseThresholdKey,
  parseThresholds,
  ThresholdSet,
  THRESHOLD_METRICS,
  type ThresholdSpec,
} from "../src/core/thresholds.ts";
import type { ScenarioContext } from "../src/core/types.ts";
import { Trend } from "../src/metrics/trend.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { runHarness, scenarioFolder } from "./helpers/cli.ts";
import { createTestRun, defineScenario, metricValue } from "./helpers/scenarios.ts";

const validExpressions = [
  {
    metric: "http_req_duration",
    text: "p(95)<500",
    expected: { aggregation: "p", percentile: 95, operator: "<", limit: 500, windowMs: undefined },
  },
  {
    metric: "http_req_duration",
    text: " p( 99.9 ) <= 1e3 ",
    expected: {
      aggregation: "p",
      percentile: 99.9,
      operator: "<=",
      limit: 1000,
      windowMs: undefined,
    },
  },
  {
    metric: "iteration_duration",
    text: "avg<200",
    expected: {
      aggregation: "avg",
      percentile: undefined,
      operator: "<",
      limit: 200,
      windowMs: undefined,
    },
  },
  {
    metric: "http_req_duration",
    text: "med>=1.5",
    expected: {
      aggregation: "med",
      percentile: undefined,
      operator: ">=",
      limit: 1.5,
      windowMs: undefined,
    },
  },
  {
    metric: "http_req_failed",
    text: "rate<0.01",
    expected: {
      aggregation: "rate",
      percentile: undefined,
      operator: "<",
      limit: 0.01,
      windowMs: undefined,
    },
  },
  {
    metric: "http_reqs",
    text: "count>100",
    expected: {
      aggregation: "count",
      percentile: undefined,
      operator: ">",
      limit: 100,
      windowMs: undefined,
    },
  },
  {
    metric: "http_reqs",
    text: "rate>=50",
    expected: {
      aggregation: "rate",
      percentile: undefined,
      operator: ">=",
      limit: 50,
      windowMs: undefined,
    },
  },
  {
    metric: "dropped_iterations",
    text: "count==0",
    expected: {
      aggregation: "count",
      percentile: undefined,
      operator: "==",
      limit: 0,
      windowMs: undefined,
    },
  },
  {
    metric: "checks",
    text: "rate!=0",
    expected: {
      aggregation: "rate",
      percentile: undefined,
      operator: "!=",
      limit: 0,
      windowMs: undefined,
    },
  },
  {
    metric: "http_req_duration",
    text: "p(95)<500 over 1m",
    expected: { aggregation: "p", percentile: 95, operator: "<", limit: 500, windowMs: 60_000 },
  },
  {
    metric: "harness_scenario_duration_seconds",
    text: "max<0.5 over 30s",
    expected: {
      aggregation: "max",
      percentile: undefined,
      operator: "<",
      limit: 0.5,
      windowMs: 30_000,
    },
  },
];

for (const { metric, text, expected } of validExpressions) {
  test(`threshold expression "${text}" parses on ${metric}`, () => {
    const type = THRESHOLD_METRICS[metric]!.type;
    assert.deepEqual(parseThresholdExpression(text, metric, type), expected);
  });
}

const invalidExpressions = [
  {
    metric: "http_req_duration",
    text: "p95<500",
    error: SyntaxError,
    message: /invalid threshold "p95<500"/,
  },
  {
    metric: "http_req_duration",
    text: "p(95)",
    error: SyntaxError,
    message: /AGGREGATION OPERATOR NUMBER/,
  },
  {
    metric: "http_req_duration",
    text: "p(95)<fast",
    error: SyntaxError,
    message: /invalid threshold/,
  },
  {
    metric: "http_req_duration",
    text: "p(101)<5",
    error: RangeError,
    message: /percentile must be 0 to 100/,
  },
  {
    metric: "http_req_duration",
    text: "rate<0.1",
    error: RangeError,
    message: /a trend takes avg, min/,
  },
  { metric: "http_req_failed", text: "avg<0.1", error: RangeError, message: /a rate takes rate/ },
  {
    metric: "http_reqs",
    text: "p(90)<3",
    error: RangeError,
    message: /a counter takes count, rate/,
  },
  {
    metric: "http_req_duration",
    text: "avg<5 over soon",
    error: SyntaxError,
    message: /invalid duration "soon"/,
  },
  {
    metric: "http_req_duration",
    text: "avg<5 over 0s",
    error: RangeError,
    message: /must be positive/,
  },
  { metric: "http_req_duration", text: "avg=<5", error: SyntaxError, message: /invalid threshold/ },
];

for (const { metric, text, error, message } of invalidExpressions) {
  test(`threshold expression "${text}" is rejected on ${metric}`, () => {
    const type = THRESHOLD_METRICS[metric]!.type;
    assert.throws(
      () => parseThresholdExpression(text, metric, type),
      (thrown: unknown) => {
        assert.ok(thrown instanceof error, `expected ${error.name}, got ${String(thrown)}`);
        assert.match((thrown as Error).message, message);
        return true;
      },
    );
  });
}

test("threshold key parses its selector", () => {
  assert.deepEqual(parseThresholdKey("http_req_duration{name:login, method:POST}"), {
    metric: "http_req_duration",
    selector: { name: "login", method: "POST" },
  });
  assert.deepEqual(parseThresholdKey("checks"), { metric: "checks", selector: {} });
  assert.throws(() => parseThresholdKey("vus_max"), /unknown metric "vus_max"/);
  assert.throws(() => parseThresholdKey("http_req_duration{name}"), /invalid selector "name"/);
  assert.throws(() => parseThresholdKey("http_req_duration{name:login"), SyntaxError);
});

test("options report every invalid threshold with its path", () => {
  const options = {
    rate: 1,
    thresholds: {
      http_req_duration: ["p(95)<500", "p95<500"],
      "http_req_failed{name:": "rate<0.1",
      checks: { threshold: "rate>0.9", abortOnFail: "yes" },
      iterations: { threshold: "count>1", delayAbortEval: "later" },
      http_reqs: 5,
    },
  };
  assert.throws(
    () => parseFileOptions("/virtual/bad.ts", options),
    (error: unknown) => {
      assert.ok(error instanceof OptionsError);
      const paths = error.problems.map((problem) => problem.path);
      assert.deepEqual(paths, [
        'options.thresholds["http_req_duration"][1]',
        'options.thresholds["http_req_failed{name:"]',
        'options.thresholds["checks"]',
        'options.thresholds["iterations"]',
        'options.thresholds["http_reqs"]',
      ]);
      assert.match(error.message, /invalid threshold "p95<500" on http_req_duration/);
      assert.match(error.message, /abortOnFail must be true or false/);
      assert.match(error.message, /delayAbortEval: invalid duration "later"/);
      return true;
    },
  );
});

test("options accept the object form of a threshold", () => {
  const { thresholds } = parseFileOptions("/virtual/ok.ts", {
    rate: 1,
    thresholds: {
      "http_req_duration{name:login}": [
        { threshold: "p(99)<800", abortOnFail: true, delayAbortEval: "10s" },
      ],
    },
  });
  assert.equal(thresholds.length, 1);
  assert.equal(thresholds[0]!.abortOnFail, true);
  assert.equal(thresholds[0]!.delayAbortEvalMs, 10_000);
  assert.deepEqual(thresholds[0]!.selector, { name: "login" });
});

function specsOf(thresholds: Record<string, unknown>): ThresholdSpec[] {
  return parseThresholds(thresholds, (path, message) => {
    throw new Error(`${path}: ${message}`);
  });
}

function sample(metric: SampleMetric, value: number, timeMs: number, tags = {}): Sample {
  return { metric, value, timeMs, tags: { scenario: "s", ...tags } };
}

test("threshold set evaluates each aggregation", () => {
  const specs = specsOf({
    http_req_duration: ["avg<30", "min==10", "max<=50", "med>25", "p(90)<50", "count==5"],
    "http_req_duration{name:login}": ["max<20"],
    harness_http_request_duration_seconds: ["max<0.04"],
    http_req_failed: ["rate<0.3"],
    http_reqs: ["count>=5", "rate>=1"],
    checks: ["rate>0.5"],
  });
  const set = new ThresholdSet(
    [{ file: "f", specs, scenarios: new Set(["s"]) }],
    () => new Trend(),
  );
  const durations = [10, 20, 30, 40, 50];
  durations.forEach((durationMs, index) => {
    const tags = { name: index === 0 ? "login" : "home" };
    set.observe(sample("http_req_duration", durationMs, index * 1000, tags));
    set.observe(sample("http_req_failed", index === 4 ? 1 : 0, index * 1000, tags));
    set.observe(sample("http_reqs", 1, index * 1000, tags));
  });
  set.observe(sample("http_req_duration", 999, 0, { scenario: "other" }));
  const results = set.evaluate(5000, 5000);
  const byLabel = Object.fromEntries(results.map((result) => [result.label, result]));

  const expected: Array<[string, number | null, boolean]> = [
    ["http_req_duration avg<30", 30, false],
    ["http_req_duration min==10", 10, true],
    ["http_req_duration max<=50", 50, true],
    ["http_req_duration med>25", 30, true],
    ["http_req_duration p(90)<50", 50, false],
    ["http_req_duration count==5", 5, true],
    ["http_req_duration{name:login} max<20", 10, true],
    ["harness_http_request_duration_seconds max<0.04", 0.05, false],
    ["http_req_failed rate<0.3", 0.2, true],
    ["http_reqs count>=5", 5, true],
    ["http_reqs rate>=1", 1, true],
    ["checks rate>0.5", null, true],
  ];
  for (const [label, observed, passing] of expected) {
    const result = byLabel[label];
    assert.ok(result, `no result for ${label}`);
    if (observed === null) assert.equal(result.observed, null, label);
    else
      assert.ok(
        Math.abs(result.observed! - observed) < 0.05 * observed,
        `${label}: observed ${result.observed}, expected ${observed}`,
      );
    assert.equal(result.passing, passing, `${label} passing`);
  }
});

test("threshold over a window forgets old samples", () => {
  const specs = specsOf({
    http_req_duration: ["max<100 over 10s", "max<100"],
    http_reqs: ["rate>=2 over 10s"],
  });
  const set = new ThresholdSet(
    [{ file: "f", specs, scenarios: new Set(["s"]) }],
    () => new Trend(),
  );
  set.observe(sample("http_req_duration", 500, 1000));
  for (let second = 2; second <= 30; second++) {
    set.observe(sample("http_req_duration", 20, second * 1000));
    set.observe(sample("http_reqs", 1, second * 1000));
  }
  const early = set.evaluate(5000, 5000);
  assert.equal(early[0]!.passing, false, "the 500 ms sample is inside the window at 5 s");
  const late = set.evaluate(30_000, 30_000);
  assert.equal(late[0]!.observed, 20);
  assert.equal(late[0]!.passing, true);
  assert.equal(late[1]!.passing, false, "the whole-run max still holds 500 ms");
  assert.equal(late[2]!.observed, 1.1);
  assert.equal(late[2]!.passing, false);
});

test("abortOnFail stops the run after delayAbortEval", async () => {
  const clock = new FakeClock();
  const definition = defineScenario(
    "checked",
    {
      rate: 10,
      duration: "60s",
      thresholds: {
        checks: [{ threshold: "rate>0.9", abortOnFail: true, delayAbortEval: "5s" }],
        iteration_duration: "max<1000",
      },
    },
    (ctx: ScenarioContext) => void ctx.check(1, { "is two": (value) => value === 2 }),
  );
  const samples = new SampleBus();
  const { run, recorder, metrics } = createTestRun([definition], clock, { samples });
  const monitor = new ThresholdMonitor([definition], samples, {
    clock,
    recorder,
    createTrend: () => new Trend(),
  });
  assert.equal(
    await metricValue(metrics, "harness_threshold_passing", { threshold: "checks rate>0.9" }),
    1,
  );
  await run.start();
  monitor.start(run);
  await clock.advance(70_000);
  const result = await run.finished;
  monitor.stop();

  assert.equal(result.interruption?.kind, "threshold");
  assert.match(result.interruption!.reason, /checks rate>0\.9 failed/);
  assert.ok(result.durationMs >= 5000 && result.durationMs <= 7000, `ran ${result.durationMs} ms`);
  assert.equal(
    await metricValue(metrics, "harness_threshold_passing", { threshold: "checks rate>0.9" }),
    0,
  );
  assert.equal(
    await metricValue(metrics, "harness_threshold_passing", {
      threshold: "iteration_duration max<1000",
    }),
    1,
  );
});

test("harness exits 99 when a threshold fails on a real run", async () => {
  const folder = scenarioFolder({
    "slow.mjs": `export const options = {
  rate: 10,
  duration: "1500ms",
  thresholds: {
    http_req_duration: ["p(95)<1"],
    "http_req_duration{name:/slow}": ["max<60000"],
    http_req_failed: ["rate<0.01"],
  },
};
export default async function (ctx) {
  await ctx.http.get(ctx.env.TARGET_URL + "/slow?ms=20");
}
`,
  });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--target", "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 60_000 },
  );
  assert.equal(code, 99, stderr);
  assert.match(stdout, /✗ FAIL {2}http_req_duration p\(95\)<1/);
  assert.match(stdout, /✓ pass {2}http_req_duration\{name:\/slow\} max<60000/);
  assert.match(stdout, /✓ pass {2}http_req_failed rate<0\.01/);
});

test("harness exits 0 when every threshold holds", async () => {
  const folder = scenarioFolder({
    "fast.mjs": `export const options = {
  rate: 10,
  duration: "1s",
  thresholds: { http_reqs: ["count>=10"], checks: ["rate==1"] },
};
export default async function (ctx) {
  const response = await ctx.http.get(ctx.env.TARGET_URL + "/fast");
  ctx.check(response, { "status 200": (r) => r.status === 200 });
}
`,
  });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--target", "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 60_000 },
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /✓ pass {2}http_reqs count>=10 {2}\(observed 10\)/);
});

test("harness rejects an invalid threshold before the run starts", async () => {
  const folder = scenarioFolder({
    "counted.mjs": `export const options = { rate: 5, duration: "1s", thresholds: { http_req_duration: ["p95<500"] } };
export default async function () { throw new Error("must not run"); }
`,
    "other.mjs": `export const options = { rate: 5, duration: "1s" };
export default async function () { throw new Error("must not run either"); }
`,
  });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 30_000 },
  );
  assert.equal(code, 104);
  assert.match(stderr, /counted\.mjs: invalid options: .*invalid threshold "p95<500"/);
  assert.match(stderr, /not starting/);
  assert.doesNotMatch(stdout + stderr, /must not run/);
});
