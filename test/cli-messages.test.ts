import { test } from "node:test";
import assert from "node:assert/strict";
import { runHarness } from "./helpers/cli.ts";

test("bad flag prints one error and a hint", async () => {
  const { code, stderr } = await runHarness(["--duration", "soon"], { timeoutMs: 30_000 });
  assert.equal(code, 2);
  assert.match(stderr, /invalid duration "soon"/);
  assert.match(stderr, /run "harness run --help" for every flag/);
  assert.doesNotMatch(stderr, /Usage:/, "the full usage is not printed after an error");
  assert.ok(stderr.trim().split("\n").length <= 3, `too many lines:\n${stderr}`);
});

test("duration of 0 is rejected", async () => {
  for (const value of ["0", "0s"]) {
    const { code, stderr } = await runHarness(["-d", value, "--address", "127.0.0.1:0"], {
      timeoutMs: 30_000,
    });
    assert.equal(code, 2, stderr);
    assert.match(stderr, /a duration must be above 0/);
    assert.doesNotMatch(stderr, /metrics and status on/, "no server starts");
  }
});
