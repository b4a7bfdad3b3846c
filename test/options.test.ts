import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDurationMs, parseDurationMs } from "../src/core/duration.ts";
import { OptionsError, parseFileOptions } from "../src/core/options.ts";

const durations: Array<[unknown, number]> = [
  ["30s", 30_000],
  ["1m30s", 90_000],
  ["1h2m3s", 3_723_000],
  ["250ms", 250],
  ["1.5s", 1500],
  ["2m30s100ms", 150_100],
  [1200, 1200],
  ["1200", 1200],
  [0, 0],
];

for (const [input, expectedMs] of durations) {
  test(`parseDurationMs reads ${JSON.stringify(input)} as ${expectedMs} ms`, () => {
    assert.equal(parseDurationMs(input), expectedMs);
  });
}

const badDurations: Array<[unknown, new (...args: never[]) => Error]> = [
  ["soon", SyntaxError],
  ["", SyntaxError],
  ["10 s", SyntaxError],
  ["-5s", SyntaxError],
  [-1, RangeError],
  [Number.NaN, RangeError],
  [Number.POSITIVE_INFINITY, RangeError],
  [null, TypeError],
  [{}, TypeError],
];

for (const [input, errorClass] of badDurations) {
  test(`parseDurationMs rejects ${String(input) || '""'}`, () => {
    assert.throws(() => parseDurationMs(input), errorClass);
  });
}

test("formatDurationMs prints k6-style durations", () => {
  assert.equal(formatDurationMs(0.25), "0.25ms");
  assert.equal(formatDurationMs(1500), "1.5s");
  assert.equal(formatDurationMs(90_000), "1m30s");
});

test("parseFileOptions applies defaults to a file without options", () => {
  const { scenarios, http } = parseFileOptions("a.ts", undefined);
  assert.equal(scenarios.length, 1);
  const config = scenarios[0]!.config;
  assert.equal(config.executor, "constant-arrival-rate");
  assert.equal(config.rate, 10);
  assert.equal(config.durationMs, 15_000);
  assert.equal(config.gracefulStopMs, 30_000);
  assert.equal(config.iterationTimeoutMs, undefined);
  assert.deepEqual(http.expectedStatuses, [{ min: 200, max: 399 }]);
});

test("parseFileOptions infers the executor from the fields given", () => {
  const executor = (options: Record<string, unknown>) =>
    parseFileOptions("a.ts", options).scenarios[0]!.config.executor;
  assert.equal(executor({ players: 5 }), "constant-players");
  assert.equal(executor({ iterations: 5 }), "shared-iterations");
  assert.equal(executor({ rate: 5 }), "constant-arrival-rate");
});

test("parseFileOptions reports every problem at once with its path", () => {
  let error: unknown;
  try {
    parseFileOptions("scenarios/checkout.ts", {
      executor: "ramping-arrival-rate",
      rate: "fast",
      stages: [
        { duration: "10s", target: 5 },
        { duration: "1m", target: -2 },
      ],
      preAllocatedVUs: 3,
      maxPlayers: 1.5,
      tags: { team: 7 },
    });
  } catch (caught) {
    error = caught;
  }
  assert.ok(error instanceof OptionsError);
  const paths = error.problems.map((problem) => problem.path).sort();
  assert.deepEqual(paths, [
    "options.maxPlayers",
    "options.preAllocatedVUs",
    "options.rate",
    "options.stages[1].target",
    "options.tags.team",
  ]);
  assert.match(error.message, /scenarios\/checkout\.ts/);
  assert.match(
    error.message,
    /options\.stages\[1\]\.target: must be a finite number >= 0, got number -2/,
  );
  assert.match(
    error.message,
    /options\.preAllocatedVUs: unknown option; this harness calls it "preAllocatedPlayers"/,
  );
});

test("parseFileOptions reads several scenarios from options.scenarios", () => {
  const { scenarios } = parseFileOptions("shop.ts", {
    scenarios: {
      browse: { executor: "constant-arrival-rate", rate: 50, duration: "1m" },
      checkout: { executor: "constant-players", players: 3, duration: "1m", exec: "checkout" },
    },
  });
  assert.deepEqual(
    scenarios.map((entry) => entry.key),
    ["browse", "checkout"],
  );
  assert.equal(scenarios[1]!.config.exec, "checkout");
});

test("parseFileOptions rejects scenario keys outside letters, digits, - and _", () => {
  assert.throws(
    () => parseFileOptions("shop.ts", { scenarios: { "a.b": { rate: 1 } } }),
    /invalid scenario key "a\.b"/,
  );
});

test("parseFileOptions rejects preAllocatedPlayers above maxPlayers", () => {
  assert.throws(
    () => parseFileOptions("a.ts", { preAllocatedPlayers: 20, maxPlayers: 10 }),
    /20 exceeds maxPlayers \(10\)/,
  );
});
