// Figures of `npm run bench` built from probe results: each measured value beside its peer,
// the ratio between them and the design's target.
import type { RuntimeName } from "./processes.ts";
import type { Figure } from "./report.ts";

type Numbers = Record<string, number>;

/** Per-runtime no-op targets of the design, in iterations per second on one core. */
const NOOP_TARGET_PER_SEC: Partial<Record<RuntimeName, number>> = { node: 200_000, bun: 300_000 };

/** Builds the `ctx.http` throughput and CPU-per-request figures from the `http` probe. */
export function httpFigures(
  runtime: RuntimeName,
  result: Numbers & { client: string },
  args: { concurrency: number },
): Figure[] {
  const figures: Figure[] = [];
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
  return figures;
}

/** Builds the arrival total, per-second spread and start-lag figures from the `arrivals` probe. */
export function arrivalFigures(
  runtime: RuntimeName,
  result: Numbers & { perSecond: number[] },
  args: { ratePerSec: number },
): Figure[] {
  const figures: Figure[] = [];
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
  return figures;
}

/** Builds the no-op figures, per wall second and per CPU-second, from the `noop` probe. */
export function noopFigures(
  runtime: RuntimeName,
  result: Numbers,
  args: { players: number; pinned: boolean },
): Figure[] {
  const figures: Figure[] = [];
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
    details: { ...result, players: args.players, pinnedToOneCpu: args.pinned },
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
  return figures;
}

/** Builds the heap-per-idle-player figure from the `heap` probe. */
export function heapFigures(runtime: RuntimeName, heap: Numbers): Figure[] {
  const figures: Figure[] = [];
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
  return figures;
}

/** Builds the `/metrics` render figure from the `metrics` probe. */
export function metricsFigures(runtime: RuntimeName, metrics: Numbers): Figure[] {
  const figures: Figure[] = [];
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
  return figures;
}
