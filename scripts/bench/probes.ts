// The measurements of `npm run bench`, each beside its peer measured in the same process.
// They use web APIs and node: modules only, so the same file runs on Node, Bun and Deno.
import process from "node:process";
import { Pool } from "../../src/core/pool.ts";
import { PromRecorder } from "../../src/metrics/recorder.ts";
import { HarnessMetrics } from "../../src/metrics/registry.ts";
import { systemClock } from "../../src/runtime/clock.ts";
import { runtimeName } from "../../src/runtime/detect.ts";
import { createApp } from "../../src/server/app.ts";
import { Registry } from "prom-client";
import { benchScenario, runToEnd } from "./harness-run.ts";

/** One measured quantity of a probe. */
export type ProbeResult = Record<string, number | string | number[]>;

const now = () => performance.now();

async function noop(): Promise<void> {}

/** CPU time of this process (all threads, user and system), in microseconds. */
function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Operations per second over wall time, and CPU microseconds spent per operation. */
interface Throughput {
  perSec: number;
  cpuUsPerOp: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---------------------------------------------------------------------------------------------
// ctx.http throughput against a bare loop of the runtime's fastest client

/** Connections per origin on both sides: the default of the `maxConnectionsPerOrigin` option. */
const MAX_CONNECTIONS = 100;

/** Sends one GET and reads the whole body, with the client `ctx.http` uses on this runtime. */
async function bareClient(url: string) {
  if (runtimeName !== "node") {
    return {
      send: async () => void (await (await fetch(url)).arrayBuffer()),
      close: async () => {},
    };
  }
  const { Agent, request } = await import("undici");
  const agent = new Agent({ connections: MAX_CONNECTIONS, pipelining: 1 });
  return {
    send: async () => void (await (await request(url, { dispatcher: agent })).body.arrayBuffer()),
    close: () => agent.close(),
  };
}

/** Measures `concurrency` loops of the bare client, each sending requests back to back. */
async function bareHttp(url: string, concurrency: number, durationMs: number): Promise<Throughput> {
  const client = await bareClient(url);
  const startedMs = now();
  const startedCpuUs = cpuUs();
  const endMs = startedMs + durationMs;
  let completed = 0;
  const loop = async () => {
    while (now() < endMs) {
      await client.send();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const result = throughput(completed, now() - startedMs, cpuUs() - startedCpuUs);
  await client.close();
  return result;
}

/** Measures a constant-players run of `players` players whose iteration is one `ctx.http.get`. */
async function harnessHttp(url: string, players: number, durationMs: number): Promise<Throughput> {
  const definition = benchScenario(
    "http",
    {
      executor: "constant-players",
      players,
      duration: durationMs,
      maxConnectionsPerOrigin: MAX_CONNECTIONS,
    },
    async (ctx) => void (await ctx.http.get(url)),
  );
  const startedCpuUs = cpuUs();
  const { runner } = await runToEnd(definition);
  const { success, failure } = runner.counts.completed;
  if (failure > 0) console.error(`warn ${failure} of ${success + failure} harness requests failed`);
  return throughput(success, runner.activeMs, cpuUs() - startedCpuUs);
}

/** Measures `ctx.http` against the bare client at the same concurrency and target. */
export async function probeHttp(args: {
  url: string;
  concurrency: number;
  durationMs: number;
  rounds: number;
}) {
  const { url, concurrency, durationMs, rounds } = args;
  const result = await compareRounds(
    (ms) => bareHttp(url, concurrency, ms),
    (ms) => harnessHttp(url, concurrency, ms),
    durationMs,
    rounds,
  );
  return { ...result, client: runtimeName === "node" ? "undici request + Agent" : "fetch" };
}

function throughput(operations: number, elapsedMs: number, elapsedCpuUs: number): Throughput {
  return { perSec: (operations * 1000) / elapsedMs, cpuUsPerOp: elapsedCpuUs / operations };
}

/**
 * Runs the bare side and the harness side `rounds` times each, after a short warm-up of
 * both, alternating which goes first so that a slow phase of a noisy machine hits both
 * sides, and returns the medians.
 */
async function compareRounds(
  bare: (durationMs: number) => Promise<Throughput>,
  harness: (durationMs: number) => Promise<Throughput>,
  durationMs: number,
  rounds: number,
) {
  const warmUpMs = Math.min(500, durationMs);
  await bare(warmUpMs);
  await harness(warmUpMs);
  const bareRounds: Throughput[] = [];
  const harnessRounds: Throughput[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      bareRounds.push(await bare(durationMs));
      harnessRounds.push(await harness(durationMs));
    } else {
      harnessRounds.push(await harness(durationMs));
      bareRounds.push(await bare(durationMs));
    }
  }
  return {
    harnessPerSec: median(harnessRounds.map((round) => round.perSec)),
    barePerSec: median(bareRounds.map((round) => round.perSec)),
    harnessCpuUsPerOp: median(harnessRounds.map((round) => round.cpuUsPerOp)),
    bareCpuUsPerOp: median(bareRounds.map((round) => round.cpuUsPerOp)),
    harnessRounds: harnessRounds.map((round) => round.perSec),
    bareRounds: bareRounds.map((round) => round.perSec),
  } satisfies ProbeResult;
}

/** The part of autocannon 8's programmatic API that the bench uses. */
type Autocannon = (options: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
}) => Promise<{ requests: { total: number }; duration: number; errors: number; non2xx: number }>;

/**
 * Measures autocannon (Node only) with `concurrency` connections and one request in flight
 * on each, as the harness's players have. Returns the median of `rounds` runs.
 */
export async function probeAutocannon(args: {
  url: string;
  concurrency: number;
  durationMs: number;
  rounds: number;
}) {
  const { default: autocannon } = (await import("autocannon" as string)) as {
    default: Autocannon;
  };
  const run = async (durationMs: number) => {
    const result = await autocannon({
      url: args.url,
      connections: args.concurrency,
      pipelining: 1,
      duration: durationMs / 1000,
    });
    if (result.errors > 0 || result.non2xx > 0) {
      console.error(`warn autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx`);
    }
    return result.requests.total / result.duration;
  };
  await run(Math.min(500, args.durationMs));
  const rounds: number[] = [];
  for (let round = 0; round < args.rounds; round++) rounds.push(await run(args.durationMs));
  return { perSec: median(rounds), rounds } satisfies ProbeResult;
}

// ---------------------------------------------------------------------------------------------
// Arrival accuracy of the open model

/**
 * Runs constant-arrival-rate no-op iterations at `ratePerSec` and compares them with the plan:
 * total starts against planned arrivals, starts in each whole second against the rate, and
 * the start lag (actual start minus planned start) that the harness records itself.
 */
export async function probeArrivals(args: { ratePerSec: number; durationMs: number }) {
  const { ratePerSec, durationMs } = args;
  const perSecond: number[] = new Array(Math.ceil(durationMs / 1000) + 1).fill(0);
  /** Actual start of the first arrival, which the plan places at the scenario's start. */
  let firstStartMs: number | undefined;
  const options = (ms: number) => ({
    executor: "constant-arrival-rate",
    rate: ratePerSec,
    timeUnit: "1s",
    duration: ms,
    preAllocatedPlayers: 100,
    maxPlayers: 1000,
  });
  // A short run first, so that compilation of the hot path does not land in the figures.
  await runToEnd(benchScenario("warm-up", options(Math.min(300, durationMs)), noop));
  const definition = benchScenario("arrivals", options(durationMs), async () => {
    const startedMs = now();
    firstStartMs ??= startedMs;
    perSecond[Math.floor((startedMs - firstStartMs) / 1000)]!++;
  });
  const { runner, recorder } = await runToEnd(definition);
  const wholeSeconds = perSecond.slice(0, Math.floor(durationMs / 1000));
  const deviations = wholeSeconds.map((count) => Math.abs(count - ratePerSec) / ratePerSec);
  const startLag = recorder.scenario("arrivals").trends().startLag;
  return {
    planned: runner.plannedArrivals,
    started: runner.counts.started,
    dropped: runner.counts.dropped,
    perSecond: wholeSeconds,
    maxSecondDeviation: Math.max(...deviations),
    startLagP99Ms: startLag?.p99 ?? NaN,
    startLagP50Ms: startLag?.med ?? NaN,
    startLagMaxMs: startLag?.max ?? NaN,
  } satisfies ProbeResult;
}

// ---------------------------------------------------------------------------------------------
// No-op iterations per second

/** Measures no-op awaits of a bare `for` loop, checking the clock every 1,024 calls. */
async function bareNoop(durationMs: number): Promise<Throughput> {
  const startedMs = now();
  const startedCpuUs = cpuUs();
  const endMs = startedMs + durationMs;
  let calls = 0;
  for (;;) {
    await noop();
    calls++;
    if ((calls & 1023) === 0 && now() >= endMs) break;
  }
  return throughput(calls, now() - startedMs, cpuUs() - startedCpuUs);
}

async function harnessNoop(players: number, durationMs: number): Promise<Throughput> {
  const definition = benchScenario(
    "noop",
    { executor: "constant-players", players, duration: durationMs },
    noop,
  );
  const startedCpuUs = cpuUs();
  const { runner } = await runToEnd(definition);
  return throughput(runner.counts.completed.success, runner.activeMs, cpuUs() - startedCpuUs);
}

/** Measures closed-model no-op iterations with every metric on, against the bare loop. */
export async function probeNoop(args: { players: number; durationMs: number; rounds: number }) {
  const { players, durationMs, rounds } = args;
  return compareRounds(
    (ms) => bareNoop(ms),
    (ms) => harnessNoop(players, ms),
    durationMs,
    rounds,
  );
}

// ---------------------------------------------------------------------------------------------
// Heap per idle player

function collectGarbage(): boolean {
  const bun = (globalThis as unknown as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) {
    bun.gc(true);
    return true;
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  gc();
  return true;
}

function heapUsedBytes(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/**
 * Measures heap growth per idle player, with `count` players pre-allocated into a pool's
 * idle queue. The peer is an array of `count` plain objects with a player's three fields.
 */
export async function probeHeap(args: { count: number }) {
  const { count } = args;
  const exactGc = collectGarbage();
  const pool = new Pool({
    clock: systemClock,
    recorder: new PromRecorder(new HarnessMetrics({ processMetrics: false })),
    idleCapacity: count,
  });
  const poolBefore = heapUsedBytes();
  pool.preAllocate(count);
  const poolAfter = heapUsedBytes();
  const plainBefore = heapUsedBytes();
  const plain = Array.from({ length: count }, (_, id) => ({ id, state: "idle", iterations: 0 }));
  const plainAfter = heapUsedBytes();
  if (pool.idleDepth !== count || plain.length !== count) {
    throw new Error(`the pool kept ${pool.idleDepth} of ${count} players; expected all of them`);
  }
  return {
    bytesPerPlayer: (poolAfter - poolBefore) / count,
    bytesPerPlainObject: (plainAfter - plainBefore) / count,
    count,
    gc: exactGc ? "forced" : "not exposed (figures include garbage)",
  } satisfies ProbeResult;
}

// ---------------------------------------------------------------------------------------------
// /metrics render time

/** Fills `scenarios` scenarios' series as a running test would: iterations, HTTP, checks. */
function recordActivity(recorder: PromRecorder, scenarios: number): void {
  for (let index = 0; index < scenarios; index++) {
    const scenario = recorder.scenario(`scenario-${index}`);
    scenario.desiredRate(100);
    for (let sample = 0; sample < 20; sample++) {
      scenario.attempted();
      scenario.started(sample * 0.05);
      scenario.completed(sample % 10 === 0 ? "failure" : "success", sample * 3, sample * 3.1);
      for (const name of ["/api/items", "/api/items/:id"]) {
        scenario.http({
          method: "GET",
          status: 200,
          name,
          durationMs: sample * 2,
          sentBytes: 80,
          receivedBytes: 300,
          failure: undefined,
        });
      }
      scenario.check("status is 200", true);
    }
  }
  recorder.poolTick(0.1);
  recorder.compositorTick(0.1, 0.2);
  recorder.eventLoopLag(1);
}

async function timeRenders(render: () => Promise<unknown>, renders: number): Promise<number[]> {
  for (let index = 0; index < Math.min(20, renders); index++) await render();
  const timesMs: number[] = [];
  for (let index = 0; index < renders; index++) {
    const startedMs = now();
    await render();
    timesMs.push(now() - startedMs);
  }
  return timesMs;
}

/**
 * Times `GET /metrics` of the harness's Hono app with `scenarios` active scenarios and process
 * metrics on, against prom-client rendering an empty registry.
 */
export async function probeMetrics(args: { scenarios: number; renders: number }) {
  const { scenarios, renders } = args;
  const metrics = new HarnessMetrics();
  recordActivity(new PromRecorder(metrics), scenarios);
  const app = createApp(() => ({ metrics, run: undefined, clock: systemClock }));
  let bodyBytes = 0;
  const harnessMs = await timeRenders(async () => {
    const response = await app.request("http://127.0.0.1/metrics");
    bodyBytes = (await response.text()).length;
  }, renders);
  const empty = new Registry();
  const emptyMs = await timeRenders(() => empty.metrics(), renders);
  return {
    harnessMedianMs: median(harnessMs),
    harnessP95Ms: percentile(harnessMs, 95),
    emptyMedianMs: median(emptyMs),
    bodyBytes,
  } satisfies ProbeResult;
}
