import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkQueryResult,
  checkStartedCountNotAboveAttempted,
  checkStartedNotAboveAttempted,
  mustMove,
  mustPeakAt,
  type QueryResult,
} from "../scripts/dashboard-expectations.ts";
import type { SeriesKind } from "../src/metrics/views.ts";

function result(
  id: string,
  kind: SeriesKind,
  series: QueryResult["series"],
  scenario?: string,
): QueryResult {
  return { dashboard: "d.json", title: id, id, kind, scenario, expr: id, series };
}

test("checkQueryResult passes plausible values", () => {
  const ok = result("rate", "rate", [{ labels: {}, values: [NaN, 0, 1.5, 3] }]);
  assert.deepEqual(checkQueryResult(ok), []);
});

test("checkQueryResult rejects impossible values", () => {
  const cases: Array<[string, QueryResult, RegExp]> = [
    ["no series", result("a", "rate", []), /no data/],
    ["only NaN", result("b", "seconds", [{ labels: {}, values: [NaN, NaN] }]), /no finite/],
    ["negative rate", result("c", "rate", [{ labels: {}, values: [1, -0.5] }]), /negative/],
    ["ratio above 1", result("d", "ratio", [{ labels: {}, values: [0.2, 1.1] }]), /> 1/],
    ["negative ratio", result("e", "ratio", [{ labels: {}, values: [-0.1] }]), /negative/],
  ];
  for (const [name, input, pattern] of cases) {
    const problems = checkQueryResult(input);
    assert.equal(problems.length, 1, name);
    assert.match(problems[0]!, pattern, name);
  }
});

test("checkStartedNotAboveAttempted flags started above attempted", () => {
  const labels = { scenario: "s" };
  const attempted = result("attempted_rate", "rate", [{ labels, values: [2, 2, 2] }], "s");
  const fine = result("started_rate", "rate", [{ labels, values: [1, 2, 0] }], "s");
  const above = result("started_rate", "rate", [{ labels, values: [1, 2.5, 0] }], "s");
  assert.deepEqual(checkStartedNotAboveAttempted([attempted, fine]), []);
  const problems = checkStartedNotAboveAttempted([attempted, above]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /step 1: started 2.5\/s above attempted 2\/s/);
});

test("checkStartedCountNotAboveAttempted flags a positive difference", () => {
  const fine = [{ labels: { scenario: "a" }, values: [0, -3, NaN] }];
  const above = [{ labels: { scenario: "b" }, values: [0, 2] }];
  assert.deepEqual(checkStartedCountNotAboveAttempted(fine), []);
  assert.match(checkStartedCountNotAboveAttempted(above)[0]!, /scenario b: started exceeded/);
  assert.equal(checkStartedCountNotAboveAttempted([]).length, 1);
});

test("checkStartedNotAboveAttempted requires the started query", () => {
  const attempted = result("attempted_rate", "rate", [{ labels: { scenario: "s" }, values: [1] }]);
  assert.equal(checkStartedNotAboveAttempted([attempted]).length, 1);
});

test("mustMove fails on a flat zero", () => {
  const expectation = mustMove("drops", "starvation_rate", { scenario: "a" });
  const flat = result("starvation_rate", "rate", [
    { labels: { scenario: "a" }, values: [0, 0, NaN] },
    { labels: { scenario: "b" }, values: [0, 4] },
  ]);
  const moved = result("starvation_rate", "rate", [{ labels: { scenario: "a" }, values: [0, 3] }]);
  assert.match(expectation.check([flat])!, /stayed at zero/);
  assert.equal(expectation.check([moved]), undefined);
  assert.match(expectation.check([]) ?? "", /no series/);
});

test("mustPeakAt compares the maximum", () => {
  const expectation = mustPeakAt("desired", "desired_rate", { scenario: "a" }, 30);
  const at30 = result("desired_rate", "count", [{ labels: { scenario: "a" }, values: [0, 30] }]);
  const at20 = result("desired_rate", "count", [{ labels: { scenario: "a" }, values: [0, 20] }]);
  assert.equal(expectation.check([at30]), undefined);
  assert.match(expectation.check([at20])!, /peaked at 20, expected 30/);
});
