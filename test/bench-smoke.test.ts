import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./helpers/cli.ts";

/** Returns the runtime running this test, on which the bench then runs its probes. */
function currentRuntime(): "node" | "bun" | "deno" {
  if ("Bun" in globalThis) return "bun";
  if ("Deno" in globalThis) return "deno";
  return "node";
}

/** Runs `npm run bench` (a Node script on every runtime) to its end; kills it after 120 s. */
function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn("node", [join(repoRoot, "bin", "run-ts.mjs"), "scripts/bench.ts", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    }),
  );
}

test("bench --quick writes every figure as JSON", { timeout: 150_000 }, async () => {
  const runtime = currentRuntime();
  const out = join(mkdtempSync(join(tmpdir(), "bench-smoke-")), "results.json");
  const { code, stderr } = await runBench(["--quick", "--runtimes", runtime, "--out", out]);
  assert.equal(code, 0, stderr);

  const report = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(report.quick, true);
  assert.deepEqual(report.failures, []);
  const expected = [
    "http-throughput",
    "http-cpu-per-request",
    "arrival-total",
    "arrival-spread",
    "arrival-start-lag",
    "noop-iterations",
    "noop-iterations-per-cpu-second",
    "heap-per-idle-player",
    "metrics-render",
    ...(runtime === "bun" ? ["http-vs-autocannon", "bun-start-to-first-request"] : []),
  ];
  const ids = report.figures.map((figure: { id: string }) => figure.id);
  assert.deepEqual([...ids].sort(), [...expected].sort());
  for (const figure of report.figures) {
    assert.equal(figure.runtime, runtime, figure.id);
    assert.ok(Number.isFinite(figure.measured), `${figure.id} measured ${figure.measured}`);
    assert.ok(Number.isFinite(figure.ratio), `${figure.id} ratio ${figure.ratio}`);
    assert.ok(Number.isFinite(figure.peer.value), `${figure.id} peer ${figure.peer.value}`);
  }
  const arrivals = report.figures.find((figure: { id: string }) => figure.id === "arrival-total");
  const { ratePerSec, durationMs } = report.settings.arrivals;
  assert.equal(arrivals.details.planned, (ratePerSec * durationMs) / 1000);
});
