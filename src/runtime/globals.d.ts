// Minimal declarations of the Bun and Deno globals this folder uses; Node's come from @types/node.
declare namespace Deno {
  const args: string[];
  function serve(
    options: {
      hostname?: string;
      port?: number;
      onListen?: (addr: { hostname: string; port: number }) => void;
      signal?: AbortSignal;
    },
    handler: (
      request: Request,
      info: { remoteAddr: { hostname: string; port: number } },
    ) => Response | Promise<Response>,
  ): {
    addr: { hostname: string; port: number };
    shutdown(): Promise<void>;
    finished: Promise<void>;
  };
  function addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  function removeSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  function createHttpClient(options: { poolMaxIdlePerHost?: number; http2?: boolean }): {
    close(): void;
  };
  const version: { deno: string };
}

declare namespace Bun {
  function serve(options: {
    hostname?: string;
    port?: number;
    fetch: (
      request: Request,
      server: { requestIP(request: Request): { address: string } | null },
    ) => Response | Promise<Response>;
    idleTimeout?: number;
  }): {
    port: number;
    hostname: string;
    stop(closeActiveConnections?: boolean): Promise<void> | void;
  };
  const version: string;
}
