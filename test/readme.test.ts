import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, runHarness, scenarioFolder } from "./helpers/cli.ts";

/** The `ts` blocks of README.md that start with `// example: NAME`, by file name. */
function readmeExamples(): Record<string, string> {
  const text = readFileSync(join(repoRoot, "README.md"), "utf8");
  const examples: Record<string, string> = {};
  for (const match of text.matchAll(/```ts\n\/\/ example: (\S+)\n([\s\S]*?)```/g)) {
    examples[match[1]!] = match[2]!;
  }
  return examples;
}

test("README scenario example runs and passes its thresholds", async () => {
  const examples = readmeExamples();
  assert.deepEqual(Object.keys(examples), ["hello.ts"]);
  const folder = scenarioFolder(examples);
  const { code, stdout, stderr } = await runHarness(
    [folder, "--target", "--quiet", "--address", "127.0.0.1:0"],
    {
      timeoutMs: 60_000,
    },
  );
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.match(stdout, /attempted 100 {2}started 100 {2}dropped 0/);
  assert.match(stdout, /✓ status is 200: 100\.00% \(100 passed, 0 failed\)/);
  assert.doesNotMatch(stdout, /✗ FAIL/);
});
