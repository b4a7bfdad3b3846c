import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, runHarness, scenarioFolder } from "./helpers/cli.ts";

/** The `js` blocks of docs/scenarios.md that start with `// example: NAME`, by file name. */
function docExamples(): Record<string, string> {
  const text = readFileSync(join(repoRoot, "docs", "scenarios.md"), "utf8");
  const examples: Record<string, string> = {};
  for (const match of text.matchAll(/```js\n\/\/ example: (\S+)\n([\s\S]*?)```/g)) {
    examples[match[1]!] = match[2]!;
  }
  return examples;
}

test("docs examples are found", () => {
  assert.deepEqual(Object.keys(docExamples()).sort(), [
    "checkout.mjs",
    "guarded.mjs",
    "reported.mjs",
    "shop.mjs",
  ]);
});

test("docs examples run and pass their thresholds", async () => {
  const { "reported.mjs": _reported, ...examples } = docExamples();
  const folder = scenarioFolder(examples);
  const { code, stdout, stderr } = await runHarness(
    [folder, "--target", "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 90_000 },
  );
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  for (const name of ["checkout", "shop.browse", "shop.buy", "shop.crowd", "guarded"]) {
    assert.match(stdout, new RegExp(`^ {2}${name.replace(".", "\\.")} `, "m"), name);
  }
  assert.match(stdout, /✓ status is 200: 100\.00%/);
  assert.match(stdout, /✓ created: 100\.00% \(6 passed, 0 failed\)/);
  assert.match(stdout, /✓ pass {2}http_reqs\{method:POST\} count==6 {2}\(observed 6\)/);
  assert.match(stdout, /✓ pass {2}iterations count==20 {2}\(observed 20\)/);
  assert.match(
    stdout,
    /✓ pass {2}group_duration\{group:::home\} p\(95\)<5000 {2}\(observed [\d.]+\)/,
  );
  assert.doesNotMatch(stdout, /✗ FAIL/);
});

test("docs handleSummary example prints its own line", async () => {
  const folder = scenarioFolder({ "reported.mjs": docExamples()["reported.mjs"]! });
  const { code, stdout, stderr } = await runHarness(
    [folder, "--target", "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 60_000 },
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^started 5, p\(95\) [\d.]+ ms$/m);
});
