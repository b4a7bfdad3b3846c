/** Converts milliseconds, the unit of every duration inside the harness, to Prometheus's seconds. */
export function msToSeconds(durationMs: number): number {
  return durationMs / 1000;
}

/**
 * Exponential histogram buckets in seconds from `fromSeconds` up to at least `toSeconds`,
 * each `factor` times the previous. The default, 0.25 ms to 60 s by doubling, resolves
 * sub-millisecond latencies in 19 buckets.
 */
export function exponentialBucketsSeconds(
  fromSeconds = 0.00025,
  toSeconds = 60,
  factor = 2,
): number[] {
  if (!(fromSeconds > 0) || !(toSeconds > fromSeconds) || !(factor > 1)) {
    throw new RangeError(
      `histogram buckets need 0 < from < to and factor > 1, got from=${fromSeconds} s, to=${toSeconds} s, factor=${factor}`,
    );
  }
  const buckets: number[] = [];
  for (let bound = fromSeconds; ; bound *= factor) {
    buckets.push(Number(bound.toPrecision(6)));
    if (bound >= toSeconds) return buckets;
  }
}
