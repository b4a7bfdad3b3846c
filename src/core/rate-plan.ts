/** One piece of a rate plan: the rate moves linearly from `fromRate` to `toRate`. */
interface Segment {
  startMs: number;
  endMs: number;
  /** Arrivals per `timeUnitMs` at `startMs` and at `endMs`. */
  fromRate: number;
  toRate: number;
  /** Arrivals planned before `startMs`. */
  arrivalsBefore: number;
}

/** Tolerance for float error when a cumulative arrival count should be a whole number. */
const COUNT_EPSILON = 1e-9;

/**
 * The planned arrivals of an open-model scenario as a piecewise-linear rate over time,
 * measured in milliseconds from the scenario's start.
 *
 * Arrival n (counting from 0) is planned at the time t where the cumulative count A(t)
 * reaches n, and arrivals planned at or after the plan's end do not happen. For a
 * constant rate r per time unit u, A(t) = t * r / u, so arrival n is planned at
 * n * u / r: at 30 per 1000 ms, arrival 0 at 0 ms, arrival 1 at 33.3 ms, arrival 899 at
 * 29,966.7 ms, and 900 arrivals in 30 s. Every planned time is derived from the start,
 * never from the previous arrival, so a late tick cannot make the schedule drift, and
 * a fraction of an arrival left at the end of one tick carries into the next.
 *
 * Within a linear ramp from rate a to rate b over D ms, with k = (b - a) / D,
 * A(s) = a*s/u + k*s^2/(2u) for s ms into the segment; inverting it for the arrival
 * count c gives s = 2cu / (a + sqrt(a^2 + 2kcu)), the form that stays exact when k = 0.
 */
export class RatePlan {
  #segments: Segment[] = [];
  #cursor = 0;

  constructor(
    readonly timeUnitMs: number,
    startRate: number,
    stages: Array<{ durationMs: number; target: number }>,
  ) {
    let startMs = 0;
    let rate = startRate;
    let arrivals = 0;
    for (const stage of stages) {
      const segment = {
        startMs,
        endMs: startMs + stage.durationMs,
        fromRate: rate,
        toRate: stage.target,
        arrivalsBefore: arrivals,
      };
      this.#segments.push(segment);
      arrivals += this.#arrivalsIn(segment, segment.endMs);
      startMs = segment.endMs;
      rate = stage.target;
    }
  }

  /** A plan at `rate` per time unit for `durationMs`. */
  static constant(rate: number, timeUnitMs: number, durationMs: number): RatePlan {
    return new RatePlan(timeUnitMs, rate, [{ durationMs, target: rate }]);
  }

  get endMs(): number {
    return this.#segments.at(-1)?.endMs ?? 0;
  }

  /** Number of arrivals the whole plan starts: those planned strictly before its end. */
  get totalArrivals(): number {
    return Math.max(0, Math.ceil(this.arrivalsUntil(this.endMs) - COUNT_EPSILON));
  }

  /** Cumulative planned arrivals A(t), fractional, for `elapsedMs` from the start. */
  arrivalsUntil(elapsedMs: number): number {
    const segment = this.#segmentAt(Math.min(elapsedMs, this.endMs));
    if (!segment) return 0;
    return segment.arrivalsBefore + this.#arrivalsIn(segment, Math.min(elapsedMs, segment.endMs));
  }

  /** Rate per time unit at `elapsedMs`. */
  rateAt(elapsedMs: number): number {
    const segment = this.#segmentAt(elapsedMs);
    if (!segment || elapsedMs >= this.endMs) return 0;
    const span = segment.endMs - segment.startMs;
    if (span === 0) return segment.toRate;
    return (
      segment.fromRate +
      ((segment.toRate - segment.fromRate) * (elapsedMs - segment.startMs)) / span
    );
  }

  /** Planned time of arrival `index` in ms from the start; Infinity when the plan never reaches it. */
  plannedMs(index: number): number {
    const segments = this.#segments;
    if (this.#cursor >= segments.length || segments[this.#cursor]!.arrivalsBefore > index) {
      this.#cursor = 0;
    }
    while (this.#cursor < segments.length) {
      const segment = segments[this.#cursor]!;
      const next = segments[this.#cursor + 1];
      const arrivalsAfter = next
        ? next.arrivalsBefore
        : segment.arrivalsBefore + this.#arrivalsIn(segment, segment.endMs);
      if (index < arrivalsAfter - COUNT_EPSILON) {
        return segment.startMs + this.#offsetFor(segment, index - segment.arrivalsBefore);
      }
      if (!next) return Infinity;
      this.#cursor++;
    }
    return Infinity;
  }

  /**
   * Replaces the plan from `elapsedMs` on with a constant `rate` until `untilMs` (the old
   * end by default). A(elapsedMs) is unchanged, so the fraction already accrued carries over.
   */
  setRate(elapsedMs: number, rate: number, untilMs = this.endMs): void {
    const arrivals = this.arrivalsUntil(elapsedMs);
    const kept = this.#segments.filter((segment) => segment.startMs < elapsedMs);
    const last = kept.at(-1);
    if (last && last.endMs > elapsedMs) {
      last.toRate = this.rateAt(elapsedMs);
      last.endMs = elapsedMs;
    }
    kept.push({
      startMs: elapsedMs,
      endMs: Math.max(untilMs, elapsedMs),
      fromRate: rate,
      toRate: rate,
      arrivalsBefore: arrivals,
    });
    this.#segments = kept;
    this.#cursor = 0;
  }

  #segmentAt(elapsedMs: number): Segment | undefined {
    const segments = this.#segments;
    for (let i = segments.length - 1; i >= 0; i--) {
      if (segments[i]!.startMs <= elapsedMs) return segments[i];
    }
    return segments[0];
  }

  #arrivalsIn(segment: Segment, untilMs: number): number {
    const span = segment.endMs - segment.startMs;
    const s = Math.max(0, untilMs - segment.startMs);
    if (span === 0) return 0;
    const slope = (segment.toRate - segment.fromRate) / span;
    return (segment.fromRate * s + (slope * s * s) / 2) / this.timeUnitMs;
  }

  /** Milliseconds into `segment` at which `count` arrivals of that segment have been planned. */
  #offsetFor(segment: Segment, count: number): number {
    const span = segment.endMs - segment.startMs;
    const unitCount = count * this.timeUnitMs;
    if (unitCount <= 0) return 0;
    if (segment.fromRate === segment.toRate) return unitCount / segment.fromRate;
    const slope = (segment.toRate - segment.fromRate) / span;
    const a = segment.fromRate;
    return (2 * unitCount) / (a + Math.sqrt(a * a + 2 * slope * unitCount));
  }
}
