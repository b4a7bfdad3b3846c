import type { MiddlewareHandler } from "hono";
import type { ErrorBody } from "./errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const encoder = new TextEncoder();

/**
 * Requires `Authorization: Bearer <token>` on every request that can change the run (any
 * method but GET, HEAD and OPTIONS). Responds with 401 without calling the route otherwise.
 */
export function bearerAuth(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match || !(await tokensEqual(await expected, match[1]!))) {
      const reason = header === "" ? "missing Authorization header" : "invalid bearer token";
      c.header("WWW-Authenticate", 'Bearer realm="edge-harness"');
      const body: ErrorBody = {
        error: `${reason}; send "Authorization: Bearer <token>" with the harness's --token`,
      };
      return c.json(body, 401);
    }
    return next();
  };
}

/**
 * Compares the SHA-256 digests of both tokens byte by byte without an early exit, so the
 * time taken depends on neither the token's length nor the position of the first difference.
 */
async function tokensEqual(expected: Uint8Array, received: string): Promise<boolean> {
  const actual = await digest(received);
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected[i]! ^ actual[i]!;
  return difference === 0;
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}
