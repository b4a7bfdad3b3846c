import { runtimeName } from "./detect.ts";

/** Information about the client of one request. */
export interface ClientInfo {
  /** The peer's IP address, when the runtime reports it. */
  remoteAddress?: string;
}

/** How long `close()` waits for requests in progress, in ms. */
const CLOSE_GRACE_MS = 1000;

export type FetchHandler = (request: Request, client: ClientInfo) => Response | Promise<Response>;

export interface ServerHandle {
  hostname: string;
  /** The bound port; differs from the requested one when that was 0. */
  port: number;
  /**
   * Stops listening, lets requests in progress finish for up to `CLOSE_GRACE_MS` (so the
   * response to a request that stopped the run still arrives), then closes every connection.
   * On Deno a request still running after the grace period is left to finish.
   */
  close(): Promise<void>;
}

/**
 * Serves `handler` with the runtime's own server: `Deno.serve`, `Bun.serve`, or
 * `@hono/node-server` on Node. Port 0 picks a free port.
 *
 * @throws when the address cannot be bound (in use, or not an address of this machine).
 */
export async function serve(
  handler: FetchHandler,
  hostname: string,
  port: number,
): Promise<ServerHandle> {
  if (runtimeName === "bun") {
    const server = Bun.serve({
      hostname,
      port,
      fetch: (request, bunServer) =>
        handler(request, { remoteAddress: bunServer.requestIP(request)?.address }),
      idleTimeout: 0,
    });
    const close = async () => {
      const forced = setTimeout(() => void server.stop(true), CLOSE_GRACE_MS);
      await server.stop(false);
      clearTimeout(forced);
      await server.stop(true);
    };
    return { hostname, port: server.port, close };
  }
  if (runtimeName === "deno") {
    let bound = port;
    const server = Deno.serve(
      { hostname, port, onListen: (addr) => (bound = addr.port) },
      (request, info) => handler(request, { remoteAddress: info.remoteAddr.hostname }),
    );
    bound = server.addr.port;
    return {
      hostname,
      port: bound,
      close: async () => {
        // NOTE: aborting `signal` while `shutdown()` is in progress makes Deno 2.9 throw an
        // uncaught BadResource error, so a request still running after the grace period is
        // left to finish on its own instead of being cut.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)));
        await Promise.race([server.shutdown(), grace]);
        clearTimeout(timer);
      },
    };
  }
  return serveNode(handler, hostname, port);
}

async function serveNode(
  handler: FetchHandler,
  hostname: string,
  port: number,
): Promise<ServerHandle> {
  const { createAdaptorServer } = await import("@hono/node-server");
  const server = createAdaptorServer({
    fetch: (request, env) =>
      handler(request, { remoteAddress: env.incoming.socket?.remoteAddress }),
    hostname,
    port,
  }) as import("node:http").Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  return {
    hostname,
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        const forced = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(forced);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
