import type { HttpTransport, TransportRequest, TransportResponse } from "../core/http-client.ts";
import type { HttpConfig } from "../core/options.ts";
import { runtimeName } from "./detect.ts";

const decoder = new TextDecoder();

/**
 * Opens the fastest HTTP client of this runtime for `ctx.http`: undici's request API on
 * Node (its global fetch is several times slower there), the runtime's fetch on Bun and
 * Deno. Connections are kept alive.
 */
export async function transportFactory(): Promise<(config: HttpConfig) => HttpTransport> {
  if (runtimeName !== "node") return createFetchTransport;
  const undici = await import("undici");
  return (config) => createUndiciTransport(undici, config);
}

function createUndiciTransport(
  { Agent, request }: typeof import("undici"),
  config: HttpConfig,
): HttpTransport {
  const agent = new Agent({
    connections: config.maxConnectionsPerOrigin,
    pipelining: 1,
    connect: { rejectUnauthorized: !config.insecureSkipTLSVerify },
  });
  return {
    async send(spec: TransportRequest): Promise<TransportResponse> {
      const startedMs = performance.now();
      const response = await request(spec.url, {
        method: spec.method as "GET",
        headers: spec.headers,
        body: spec.body,
        dispatcher: agent,
        signal: spec.signal,
        headersTimeout: spec.timeoutMs,
        bodyTimeout: spec.timeoutMs,
      });
      const headersMs = performance.now();
      let body: string | null = null;
      let bodyBytes = 0;
      if (spec.discardBody) {
        for await (const chunk of response.body) bodyBytes += (chunk as Uint8Array).byteLength;
      } else {
        const buffer = await response.body.arrayBuffer();
        bodyBytes = buffer.byteLength;
        body = decoder.decode(buffer);
      }
      const endMs = performance.now();
      return {
        status: response.statusCode,
        headers: flattenHeaders(response.headers),
        body,
        bodyBytes,
        timings: {
          duration: endMs - startedMs,
          waiting: headersMs - startedMs,
          receiving: endMs - headersMs,
        },
      };
    },
    close: () => agent.close(),
  };
}

/**
 * `ctx.http` on fetch. NOTE: Bun's fetch has no per-origin connection limit (its global
 * limit is the BUN_CONFIG_MAX_HTTP_REQUESTS variable) and Deno's fetch cannot skip TLS
 * verification per client (Deno's --unsafely-ignore-certificate-errors flag does), so
 * `maxConnectionsPerOrigin` and `insecureSkipTLSVerify` apply there only as far as noted.
 */
function createFetchTransport(config: HttpConfig): HttpTransport {
  const extra: Record<string, unknown> = {};
  if (runtimeName === "bun" && config.insecureSkipTLSVerify)
    extra.tls = { rejectUnauthorized: false };
  return {
    async send(spec: TransportRequest): Promise<TransportResponse> {
      const startedMs = performance.now();
      const signal = AbortSignal.any([spec.signal, AbortSignal.timeout(spec.timeoutMs)]);
      const response = await fetch(spec.url, {
        method: spec.method,
        headers: spec.headers,
        body: spec.body as BodyInit | undefined,
        signal,
        ...extra,
      });
      const headersMs = performance.now();
      const buffer = await response.arrayBuffer();
      const endMs = performance.now();
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => (headers[key] = value));
      return {
        status: response.status,
        headers,
        body: spec.discardBody ? null : decoder.decode(buffer),
        bodyBytes: buffer.byteLength,
        timings: {
          duration: endMs - startedMs,
          waiting: headersMs - startedMs,
          receiving: endMs - headersMs,
        },
      };
    },
    close: async () => {},
  };
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
