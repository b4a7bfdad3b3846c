import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { harnessCommand, repoRoot, runHarness, scenarioFolder } from "./helpers/cli.ts";

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

test("output has no color escapes when piped", async () => {
  const folder = scenarioFolder({
    "good.mjs":
      "export const options = { rate: 5, duration: '500ms' };\nexport default () => {};\n",
    "broken.mjs": "export default (",
  });
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== "NO_COLOR" && key !== "FORCE_COLOR") env[key] = value;
  }
  const { command, args } = harnessCommand();
  const child = spawn(command, [...args, folder, "--address", "127.0.0.1:0"], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(killer);

  assert.equal(code, 107, stderr);
  assert.match(stderr, /error .*broken\.mjs/, "the load error is logged");
  assert.match(stdout, /edge-harness summary/, "the summary is printed");
  assert.doesNotMatch(stderr, /\u001b\[/, "log lines on a pipe carry no escape codes");
  assert.doesNotMatch(stdout, /\u001b\[/, "the summary on a pipe carries no escape codes");
});
