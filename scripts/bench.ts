// `npm run bench`: measures the harness's performance figures as ratios against a peer
// measured in the same run, prints a table and writes bench-results.json.
// Usage: npm run bench -- [--quick] [--out FILE] [--runtimes node,bun,deno]
// All traffic goes to servers this script starts on 127.0.0.1. Takes about 2 minutes, or
// under 30 s with --quick; it exits 1 only when a probe fails to run, never on a figure.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  bunPath,
  canPin,
  repoRoot,
  runProbes,
  startTarget,
  startWatchedTarget,
  timeUntil,
  type RuntimeName,
} from "./bench/processes.ts";
import { describeMachine, formatTable, type Figure } from "./bench/report.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string", default: join(repoRoot, "bench-results.json") },
    runtimes: { type: "string", default: "node,bun,deno" },
  },
});
const runtimes = flags.runtimes.split(",").map((name) => {
  if (name !== "node" && name !== "bun" && name !== "deno") {
    throw new RangeError(
      `invalid --runtimes entry "${name}": expected a comma-separated list of node, bun, deno`,
    );
  }
  return name as RuntimeName;
});
const quick = flags.quick;

/** Probe settings: the default run, and --quick, which trades precision for time. */
const settings = {
  http: { concurrency: 32, durationMs: quick ? 400 : 2000, rounds: quick ? 1 : 3 },
  arrivals: { ratePerSec: 10_000, durationMs: quick ? 1000 : 4000 },
  noop: { players: 100, durationMs: quick ? 300 : 1500, rounds: quick ? 1 : 3 },
  heap: { count: quick ? 20_000 : 100_000 },
  metrics: { scenarios: 50, renders: quick ? 30 : 200 },
  startRepeats: quick ? 2 : 5,
};
/** Per-runtime no-op targets of the design, in iterations per second on one core. */
const NOOP_TARGET_PER_SEC: Partial<Record<RuntimeName, number>> = { node: 200_000, bun: 300_000 };

const figures: Figure[] = [];
const failures: string[] = [];

/** Runs `measure` and records its failure instead of ending the bench. */
async function attempt(label: string, measure: () => Promise<void>): Promise<void> {
  process.stderr.write(`bench: ${label}\n`);
  try {
    await measure();
  } catch (error) {
    failures.push(`${label}: ${(error as Error).message}`);
    process.stderr.write(`bench: ${label} failed: ${(error as Error).message}\n`);
  }
}

/** Measures `ctx.http` on `runtime`; returns the harness's requests per second. */
async function measureHttp(runtime: RuntimeName, url: string): Promise<number> {
  const args = { url, ...settings.http };
  const { results } = await runProbes(runtime, [["http", args]], { timeoutMs: 120_000 });
  const result = results[0] as Record<string, number & string>;
  const ratio = result.harnessPerSec / result.barePerSec;
  figures.push({
    id: "http-throughput",
    runtime,
    title: "ctx.http throughput",
    measured: result.harnessPerSec,
    unit: "req/s",
    peer: { name: `bare ${result.client} loop`, value: result.barePerSec, unit: "req/s" },
    ratio,
    ratioOf: "harness / bare",
    target: ">= 0.9x",
    reached: ratio >= 0.9,
    details: { ...result, concurrency: args.concurrency, target: "Bun.serve, separate process" },
  });
  // With the target on the other core, the client is CPU-bound, so CPU time per request
  // predicts the throughput ratio on a quiet machine, and other load skews it less.
  const cpuRatio = result.bareCpuUsPerOp / result.harnessCpuUsPerOp;
  figures.push({
    id: "http-cpu-per-request",
    runtime,
    title: "ctx.http CPU per request",
    measured: result.harnessCpuUsPerOp,
    unit: "us",
    peer: { name: `bare ${result.client} loop`, value: result.bareCpuUsPerOp, unit: "us" },
    ratio: cpuRatio,
    ratioOf: "bare / harness",
    target: ">= 0.9x",
    reached: cpuRatio >= 0.9,
    details: { note: "process CPU time (all threads) over the same rounds" },
  });
  return result.harnessPerSec;
}

/** autocannon on Node against the same target and concurrency, beside `ctx.http` on Bun. */
async function measureAutocannon(bunHarnessPerSec: number, url: string): Promise<void> {
  const args = { url, ...settings.http };
  const { results } = await runProbes("node", [["autocannon", args]], { timeoutMs: 60_000 });
  const result = results[0] as { perSec: number; rounds: number[] };
  const ratio = bunHarnessPerSec / result.perSec;
  figures.push({
    id: "http-vs-autocannon",
    runtime: "bun",
    title: "ctx.http vs autocannon",
    measured: bunHarnessPerSec,
    unit: "req/s",
    peer: { name: "autocannon 8 on Node", value: result.perSec, unit: "req/s" },
    ratio,
    ratioOf: "harness / autocannon",
    target: ">= 1.2x",
    reached: ratio >= 1.2,
    details: { ...result, concurrency: args.concurrency },
  });
}

async function measureArrivals(runtime: RuntimeName): Promise<void> {
  const args = settings.arrivals;
  const { results } = await runProbes(runtime, [["arrivals", args]], { timeoutMs: 60_000 });
  const result = results[0] as Record<string, number> & { perSecond: number[] };
  const intervalMs = 1000 / args.ratePerSec;
  const plan = { name: "plan", unit: "" };
  const totalRatio = result.started / result.planned;
  figures.push({
    id: "arrival-total",
    runtime,
    title: "arrivals started, 10k/s",
    measured: result.started,
    unit: "",
    peer: { ...plan, value: result.planned },
    ratio: totalRatio,
    ratioOf: "started / planned",
    target: "within 0.1%",
    reached: Math.abs(1 - totalRatio) <= 0.001,
    details: result,
  });
  figures.push({
    id: "arrival-spread",
    runtime,
    title: "worst second's deviation",
    measured: result.maxSecondDeviation * 100,
    unit: "%",
    peer: { ...plan, value: args.ratePerSec, unit: "/s" },
    ratio: result.maxSecondDeviation,
    ratioOf: "|second - plan| / plan",
    target: "< 2%",
    reached: result.maxSecondDeviation < 0.02,
    details: { perSecond: result.perSecond },
  });
  figures.push({
    id: "arrival-start-lag",
    runtime,
    title: "start lag p99, 10k/s",
    measured: result.startLagP99Ms,
    unit: "ms",
    peer: { name: "plan's interval", value: intervalMs, unit: "ms" },
    ratio: result.startLagP99Ms / intervalMs,
    ratioOf: "p99 / interval",
    target: "< 2 ms",
    reached: result.startLagP99Ms < 2,
    details: { p50Ms: result.startLagP50Ms, maxMs: result.startLagMaxMs },
  });
}

async function measureNoop(runtime: RuntimeName): Promise<void> {
  const args = settings.noop;
  const { results } = await runProbes(runtime, [["noop", args]], {
    timeoutMs: 60_000,
    pinToCpu: 0,
  });
  const result = results[0] as Record<string, number>;
  const targetPerSec = NOOP_TARGET_PER_SEC[runtime];
  figures.push({
    id: "noop-iterations",
    runtime,
    title: "no-op iterations, 1 core",
    measured: result.harnessPerSec,
    unit: "/s",
    peer: { name: "bare await loop", value: result.barePerSec, unit: "/s" },
    ratio: result.harnessPerSec / result.barePerSec,
    ratioOf: "harness / bare",
    target: targetPerSec ? `>= ${targetPerSec.toLocaleString("en-US")}/s` : "none",
    reached: targetPerSec ? result.harnessPerSec >= targetPerSec : null,
    details: { ...result, players: args.players, pinnedToOneCpu: canPin },
  });
  const perCpuSecond = 1e6 / result.harnessCpuUsPerOp;
  figures.push({
    id: "noop-iterations-per-cpu-second",
    runtime,
    title: "no-op iterations per CPU-s",
    measured: perCpuSecond,
    unit: "/s",
    peer: { name: "bare await loop", value: 1e6 / result.bareCpuUsPerOp, unit: "/s" },
    ratio: result.bareCpuUsPerOp / result.harnessCpuUsPerOp,
    ratioOf: "harness / bare",
    target: targetPerSec ? `>= ${targetPerSec.toLocaleString("en-US")}/s` : "none",
    reached: targetPerSec ? perCpuSecond >= targetPerSec : null,
    details: { note: "iterations per second of process CPU time (all threads), same rounds" },
  });
}

async function measureMemoryAndMetrics(runtime: RuntimeName): Promise<void> {
  const { results } = await runProbes(
    runtime,
    [
      ["heap", settings.heap],
      ["metrics", settings.metrics],
    ],
    { timeoutMs: 60_000 },
  );
  const heap = results[0] as Record<string, number>;
  const metrics = results[1] as Record<string, number>;
  figures.push({
    id: "heap-per-idle-player",
    runtime,
    title: "heap per idle player",
    measured: heap.bytesPerPlayer,
    unit: "B",
    peer: { name: "plain object", value: heap.bytesPerPlainObject, unit: "B" },
    ratio: heap.bytesPerPlayer / heap.bytesPerPlainObject,
    ratioOf: "player / plain",
    target: "<= 2,048 B",
    reached: heap.bytesPerPlayer <= 2048,
    details: heap,
  });
  figures.push({
    id: "metrics-render",
    runtime,
    title: "/metrics, 50 scenarios",
    measured: metrics.harnessMedianMs,
    unit: "ms",
    peer: { name: "empty registry", value: metrics.emptyMedianMs, unit: "ms" },
    ratio: metrics.harnessMedianMs / metrics.emptyMedianMs,
    ratioOf: "harness / empty",
    target: "<= 2 ms",
    reached: metrics.harnessMedianMs <= 2,
    details: metrics,
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Bun start to first request: spawns the harness on Bun with one scenario that sends one
 * request, and times until the target in this process receives it. Peers: `bun -e` hello
 * world until its output arrives, and `bun -e` sending one fetch until the target gets it.
 */
async function measureBunStart(): Promise<void> {
  const target = await startWatchedTarget();
  const scenario = join(repoRoot, "scripts", "bench", "scenarios", "first-request.ts");
  const harness = [
    bunPath,
    join(repoRoot, "bin", "harness.mjs"),
    "run",
    scenario,
    "--address",
    "127.0.0.1:0",
    "--quiet",
    "-e",
    `TARGET_URL=${target.url}`,
  ];
  const helloWorld = [bunPath, "-e", "console.log('hello')"];
  const bareFetch = [bunPath, "-e", `await fetch(${JSON.stringify(`${target.url}/bare`)})`];
  const firstOutput = (child: import("node:child_process").ChildProcess) =>
    new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  const samples = {
    harness: [] as number[],
    helloWorld: [] as number[],
    bareFetch: [] as number[],
  };
  try {
    for (let repeat = 0; repeat < settings.startRepeats; repeat++) {
      samples.helloWorld.push(await timeUntil(helloWorld, firstOutput, 20_000));
      samples.bareFetch.push(await timeUntil(bareFetch, target.nextRequest, 20_000));
      samples.harness.push(await timeUntil(harness, target.nextRequest, 30_000));
    }
  } finally {
    await target.close();
  }
  const harnessMs = median(samples.harness);
  const helloMs = median(samples.helloWorld);
  figures.push({
    id: "bun-start-to-first-request",
    runtime: "bun",
    title: "start to first request",
    measured: harnessMs,
    unit: "ms",
    peer: { name: "bun -e hello world", value: helloMs, unit: "ms" },
    ratio: harnessMs / helloMs,
    ratioOf: "harness / hello",
    target: "<= 100 ms",
    reached: harnessMs <= 100,
    details: { ...samples, bareFetchMedianMs: median(samples.bareFetch) },
  });
}

const startedMs = performance.now();
const machine = describeMachine(canPin);
const target = await startTarget();
try {
  for (const runtime of runtimes) {
    await attempt(`ctx.http on ${runtime}`, async () => {
      const harnessPerSec = await measureHttp(runtime, target.url);
      if (runtime !== "bun") return;
      await attempt("autocannon", () => measureAutocannon(harnessPerSec, target.url));
    });
  }
} finally {
  target.stop();
}
for (const runtime of runtimes) {
  await attempt(`arrivals on ${runtime}`, () => measureArrivals(runtime));
}
for (const runtime of runtimes) {
  await attempt(`no-op iterations on ${runtime}`, () => measureNoop(runtime));
}
for (const runtime of runtimes) {
  await attempt(`heap and /metrics on ${runtime}`, () => measureMemoryAndMetrics(runtime));
}
if (runtimes.includes("bun")) await attempt("Bun start", measureBunStart);

const elapsedSeconds = (performance.now() - startedMs) / 1000;
const report = {
  command: `npm run bench${quick ? " -- --quick" : ""}`,
  date: new Date().toISOString(),
  quick,
  elapsedSeconds,
  machine,
  settings,
  figures,
  failures,
};
writeFileSync(flags.out, JSON.stringify(report, null, 2) + "\n");
console.log(formatTable(figures));
console.log(
  `\n${machine.cpus} CPUs, load average ${machine.loadAverage.join(" ")} at start; ` +
    `${elapsedSeconds.toFixed(0)} s; written to ${flags.out}`,
);
if (failures.length > 0) {
  console.error(`\n${failures.length} probe(s) failed:\n${failures.join("\n")}`);
  process.exitCode = 1;
}
