import type { HttpFailureKind } from "./types.ts";

/** Error codes and message fragments of Node (undici), Bun and Deno, by failure kind. */
const PATTERNS: Array<[HttpFailureKind, RegExp]> = [
  ["timeout", /timeout|timed ?out|ETIMEDOUT|UND_ERR_(HEADERS|BODY|CONNECT)_TIMEOUT|TimeoutError/i],
  ["refused", /ECONNREFUSED|ConnectionRefused|connection refused/i],
  [
    "reset",
    /ECONNRESET|ConnectionReset|connection reset|UND_ERR_SOCKET|socket hang up|EPIPE|ConnectionClosed|other side closed|closed before/i,
  ],
  ["dns", /ENOTFOUND|EAI_AGAIN|dns error|failed to lookup|getaddrinfo|DNS/i],
  ["tls", /CERT|SSL|TLS|self[- ]signed|certificate/i],
];

/** Classifies a network-level failure of fetch or undici into one failure kind. */
export function classifyHttpError(error: unknown): HttpFailureKind {
  const text = describeError(error);
  for (const [kind, pattern] of PATTERNS) {
    if (pattern.test(text)) return kind;
  }
  return "other";
}

/** Joins the name, code and message of an error and of its causes. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if (typeof current === "object") {
      const record = current as {
        name?: unknown;
        code?: unknown;
        message?: unknown;
        cause?: unknown;
      };
      parts.push([record.name, record.code, record.message].filter(Boolean).join(" "));
      current = record.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(": ");
}
