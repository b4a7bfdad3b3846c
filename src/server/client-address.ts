import type { Context } from "hono";

/** The client address that `src/runtime/serve.ts` passes as the app's env. */
export interface ClientEnv {
  remoteAddress?: string;
}

/**
 * Returns the address of the client that sent the request, for the control log. Reads the address
 * `serve()` passes, the connection info of `deno serve`, or the socket of
 * `@hono/node-server`; "unknown" under `app.request()` in tests.
 */
export function clientAddress(c: Context): string {
  const env = c.env as
    | (ClientEnv & {
        remoteAddr?: { hostname?: string };
        incoming?: { socket?: { remoteAddress?: string } };
      })
    | undefined;
  return (
    env?.remoteAddress ??
    env?.remoteAddr?.hostname ??
    env?.incoming?.socket?.remoteAddress ??
    "unknown"
  );
}
