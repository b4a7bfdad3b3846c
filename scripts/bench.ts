// `npm run bench`: measures the harness's performance figures as ratios against a peer
// measured in the same run, prints a table and writes bench-results.json.
// Usage: npm run bench -- [--quick] [--out FILE] [--runtimes node,bun,deno]
// All traffic goes to servers this script starts on 127.0.0.1. Takes about 2 minutes; --quick
// has about 15 s of measuring and one process per runtime, so it ends in under 30 s unless
// other work loads the machine. It exits 1 only when a probe fails to run, never on a figure.
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
import {
  arrivalFigures,
  heapFigures,
  httpFigures,
  metricsFigures,
  noopFigures,
} from "./bench/figures.ts";
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
  http: { concurrency: 32, durationMs: quick ? 300 : 2000, rounds: quick ? 1 : 3 },
  arrivals: { ratePerSec: 10_000, durationMs: quick ? 1000 : 4000 },
  noop: { players: 100, durationMs: quick ? 250 : 1500, rounds: quick ? 1 : 3 },
  heap: { count: quick ? 20_000 : 100_000 },
  metrics: { scenarios: 50, renders: quick ? 20 : 200 },
  startRepeats: quick ? 1 : 5,
};

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

/** Measures autocannon on Node against the same target and concurrency as `ctx.http` on Bun. */
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Measures Bun start to first request: spawns the harness on Bun with one scenario that sends
 * one request, and times until the target in this process receives it. Peers: `bun -e` hello
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

/**
 * Probes run together in one process. The default run gives each measurement a fresh
 * process, and pins the no-op probe to one CPU; --quick runs all of a runtime's probes in
 * one unpinned process, because process starts take much of its time budget.
 */
const PROBE_GROUPS: ProbeName[][] = quick
  ? [["http", "arrivals", "noop", "heap", "metrics"]]
  : [["http"], ["arrivals"], ["noop"], ["heap", "metrics"]];

type ProbeName = "http" | "arrivals" | "noop" | "heap" | "metrics";

/** Runs `group` on `runtime` and adds the figures of its results; runs autocannon after Bun. */
async function measureGroup(group: ProbeName[], runtime: RuntimeName, url: string) {
  const args: Record<ProbeName, Record<string, unknown>> = {
    ...settings,
    http: { url, ...settings.http },
  };
  const pinned = canPin && group.length === 1 && group[0] === "noop";
  const { results } = await runProbes(
    runtime,
    group.map((name) => [name, args[name]]),
    { timeoutMs: 180_000, pinToCpu: pinned ? 0 : undefined },
  );
  for (const [index, name] of group.entries()) {
    const result = results[index] as never;
    if (name === "http") figures.push(...httpFigures(runtime, result, settings.http));
    if (name === "arrivals") figures.push(...arrivalFigures(runtime, result, settings.arrivals));
    if (name === "noop") {
      figures.push(...noopFigures(runtime, result, { ...settings.noop, pinned }));
    }
    if (name === "heap") figures.push(...heapFigures(runtime, result));
    if (name === "metrics") figures.push(...metricsFigures(runtime, result));
  }
  if (group.includes("http") && runtime === "bun") {
    const harnessPerSec = (results[group.indexOf("http")] as { harnessPerSec: number })
      .harnessPerSec;
    await attempt("autocannon", () => measureAutocannon(harnessPerSec, url));
  }
}

const startedMs = performance.now();
const machine = describeMachine(canPin && !quick);
const target = await startTarget();
try {
  for (const group of PROBE_GROUPS) {
    for (const runtime of runtimes) {
      await attempt(`${group.join(", ")} on ${runtime}`, () =>
        measureGroup(group, runtime, target.url),
      );
    }
  }
} finally {
  target.stop();
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
