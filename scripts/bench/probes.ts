// The measurements of `npm run bench` besides `ctx.http`, each beside its peer measured in the
// same process. They use web APIs and node: modules only, so they run on Node, Bun and Deno.
import process from "node:process";
import { Pool } from "../../src/core/pool.ts";
import { PromRecorder } from "../../src/metrics/recorder.ts";
import { HarnessMetrics } from "../../src/metrics/registry.ts";
import { systemClock } from "../../src/runtime/clock.ts";
import { createApp } from "../../src/server/app.ts";
import { Registry } from "prom-client";
import { benchScenario, runToEnd } from "./harness-run.ts";
import {
  compareRounds,
  cpuUs,
  median,
  noop,
  now,
  percentile,
  throughput,
  type ProbeResult,
  type Throughput,
} from "./measure.ts";

export { probeAutocannon, probeHttp } from "./http-probes.ts";

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
