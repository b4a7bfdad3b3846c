// Measuring helpers shared by the probes of `npm run bench`: CPU time, medians, and the
// alternating rounds that compare the harness with a bare peer.
import process from "node:process";

/** One measured quantity of a probe. */
export type ProbeResult = Record<string, number | string | number[]>;

export const now = () => performance.now();

/** The no-op iteration: the same function on both sides of the no-op figure. */
export async function noop(): Promise<void> {}

/** CPU time of this process (all threads, user and system), in microseconds. */
export function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Operations per second over wall time, and CPU microseconds spent per operation. */
export interface Throughput {
  perSec: number;
  cpuUsPerOp: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function throughput(
  operations: number,
  elapsedMs: number,
  elapsedCpuUs: number,
): Throughput {
  return { perSec: (operations * 1000) / elapsedMs, cpuUsPerOp: elapsedCpuUs / operations };
}

/**
 * Runs the bare side and the harness side `rounds` times each, after a short warm-up of
 * both, alternating which goes first so that a slow phase of a noisy machine hits both
 * sides, and returns the medians.
 */
export async function compareRounds(
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
