const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * Parses a duration as k6 writes it ("30s", "1m30s", "1.5s", "250ms") or a number of
 * milliseconds, and returns milliseconds.
 *
 * @throws {TypeError} when the value is neither a string nor a number.
 * @throws {SyntaxError} when the string is not a sequence of number-and-unit parts.
 * @throws {RangeError} when the result is negative or not finite.
 */
export function parseDurationMs(value: unknown): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`duration must be a finite number of milliseconds >= 0, got ${value}`);
    }
    return value;
  }
  if (typeof value !== "string") {
    throw new TypeError(
      `duration must be a string such as "30s" or milliseconds, got ${typeof value}`,
    );
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  let totalMs = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) {
      throw new SyntaxError(
        `invalid duration "${value}": use number-unit parts such as "30s", "1m30s" or "250ms"`,
      );
    }
    totalMs += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  if (text.length === 0) throw new SyntaxError(`invalid duration "": expected for example "30s"`);
  return totalMs;
}

/** Formats milliseconds the way k6 prints durations: "1m30s", "2.5s", "120ms". */
export function formatDurationMs(durationMs: number): string {
  if (durationMs < 1000) return `${round(durationMs, 2)}ms`;
  if (durationMs < 60_000) return `${round(durationMs / 1000, 2)}s`;
  const hours = Math.floor(durationMs / 3_600_000);
  const minutes = Math.floor((durationMs % 3_600_000) / 60_000);
  const seconds = round((durationMs % 60_000) / 1000, 1);
  return `${hours ? `${hours}h` : ""}${minutes ? `${minutes}m` : ""}${seconds ? `${seconds}s` : ""}`;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
