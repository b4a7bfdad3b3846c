import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "@hono/zod-openapi";
import { ControlError, type ControlErrorKind } from "../core/control.ts";
import type { Logger } from "../core/types.ts";

/** The JSON body of every 4xx and 5xx response of the `/v1` routes. */
export interface ErrorBody {
  error: string;
  field?: string;
  value?: unknown;
}

const STATUS_OF: Record<ControlErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  "not-found": 404,
  conflict: 409,
};

/** Maximum length of a received value rendered inside an error message. */
const MAX_VALUE_CHARS = 200;

type ValidationResult =
  | { success: true; data: unknown; target: string }
  | { success: false; data: unknown; error: z.ZodError; target: string };

/**
 * The validator hook of every `/v1` route: turns the first schema problem into a 400 that
 * names the field (or path parameter) and the value received. Nothing has run yet, so
 * nothing changed.
 */
export function validationHook(result: ValidationResult, c: Context): Response | undefined {
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  const where = result.target === "param" ? "path parameter" : "body field";
  let path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") path = [...path, issue.keys[0]!];
  const field = path.length > 0 ? path.join(".") : "body";
  const value = valueAt(result.data, path);
  const problem =
    issue.code === "unrecognized_keys" ? `unknown ${where}; remove it` : issue.message;
  const rendered = renderValue(value);
  // zod's type messages already end with "received <value>" for some types (Infinity).
  const got = problem.endsWith(`received ${rendered}`) ? "" : `, got ${rendered}`;
  const body: ErrorBody = {
    error: `${field}: ${problem}${got}`,
    field,
    value: jsonSafe(value),
  };
  return c.json(body, 400);
}

/**
 * Maps an error thrown by a `/v1` handler or middleware to its JSON response. Unexpected
 * errors (500) are also logged to `logger`, with the request's method and path.
 */
export function errorResponse(error: Error, c: Context, logger?: Logger): Response {
  if (error instanceof ControlError) {
    const body: ErrorBody = { error: error.message, ...error.subject };
    return c.json(body, STATUS_OF[error.kind]);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const hint =
      status === 400
        ? "; send a JSON object"
        : status === 415
          ? "; send Content-Type: application/json"
          : "";
    return c.json({ error: `${error.message}${hint}` } satisfies ErrorBody, status);
  }
  logger?.error(`control API: ${c.req.method} ${c.req.path} failed: ${error.stack ?? error}`);
  return c.json({ error: `internal error: ${error.message}` } satisfies ErrorBody, 500);
}

function valueAt(data: unknown, path: string[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function renderValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}...` : text;
}

/** JSON has no Infinity or NaN; they are returned as strings so the client still sees them. */
function jsonSafe(value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}
