import { parseDurationMs } from "./duration.ts";
import { classifyHttpError, describeError } from "./http-errors.ts";
import { requestName, type NameLimiter } from "./http-name.ts";
import type { HttpConfig } from "./options.ts";
import type { ScenarioRecorder } from "./recorder.ts";
import type {
  Clock,
  HttpBody,
  HttpClient,
  HttpParams,
  HttpRequestSpec,
  HttpResponse,
  HttpTimings,
} from "./types.ts";

export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  timeoutMs: number;
  signal: AbortSignal;
  discardBody: boolean;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: string | null;
  /** Bytes of the response body as received. */
  bodyBytes: number;
  timings: HttpTimings;
}

/** The runtime's fastest HTTP client, wrapped to one shape; see `src/runtime/`. */
export interface HttpTransport {
  send(request: TransportRequest): Promise<TransportResponse>;
  close(): Promise<void>;
}

/** What instrumented requests of one scenario share. */
export interface HttpInstrument {
  clock: Clock;
  recorder: ScenarioRecorder;
  names: NameLimiter;
  config: HttpConfig;
}

/** Approximate bytes of a request line or status line and headers, as sent on HTTP/1.1. */
function headerBytes(headers: Record<string, string>, firstLine: string): number {
  let bytes = firstLine.length + 4;
  for (const name in headers) bytes += name.length + headers[name]!.length + 4;
  return bytes;
}

export function isExpectedStatus(status: number, ranges: HttpConfig["expectedStatuses"]): boolean {
  for (const range of ranges) {
    if (status >= range.min && status <= range.max) return true;
  }
  return false;
}

const encoder = new TextEncoder();

/** Encodes a k6-style body: objects become form fields, as k6 does; strings and bytes pass as-is. */
function encodeBody(
  body: HttpBody,
  headers: Record<string, string>,
): string | Uint8Array | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
    headers["content-type"] = "application/x-www-form-urlencoded";
  }
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) form.append(key, String(value));
  return form.toString();
}

function bodyLength(body: string | Uint8Array | undefined): number {
  if (body === undefined) return 0;
  return typeof body === "string" ? encoder.encode(body).byteLength : body.byteLength;
}

function expectedRanges(params: HttpParams | undefined, config: HttpConfig) {
  if (!params?.expectedStatuses) return config.expectedStatuses;
  return params.expectedStatuses.map((entry) =>
    typeof entry === "number" ? { min: entry, max: entry } : entry,
  );
}

/**
 * Builds the `ctx.http` client of one iteration on `transport`. Network failures resolve
 * to a response with status 0 and `error` set, as in k6; a request cut by the iteration's
 * own cancellation rejects and is not recorded, because it measured nothing of the target.
 */
export function createHttpClient(
  transport: HttpTransport,
  instrument: HttpInstrument,
  signal: AbortSignal,
  contextTags?: () => Readonly<Record<string, string>> | undefined,
): HttpClient {
  const { clock, recorder, names, config } = instrument;

  async function request(
    method: string,
    url: string,
    body?: HttpBody,
    params?: HttpParams,
  ): Promise<HttpResponse> {
    const upperMethod = method.toUpperCase();
    const headers = { ...params?.headers };
    const encoded = encodeBody(body, headers);
    const timeoutMs =
      params?.timeout === undefined ? config.requestTimeoutMs : parseDurationMs(params.timeout);
    const discardBody = params?.responseType === "none" || config.discardResponseBodies;
    const name = names.bound(params?.tags?.name ?? requestName(url));
    const tags = mergeTags(contextTags?.(), params?.tags);
    const sentBytes = bodyLength(encoded) + headerBytes(headers, `${upperMethod} ${url} HTTP/1.1`);
    const startedMs = clock.nowMs();
    try {
      const reply = await transport.send({
        method: upperMethod,
        url,
        headers,
        body: encoded,
        timeoutMs,
        signal,
        discardBody,
      });
      const expected = isExpectedStatus(reply.status, expectedRanges(params, config));
      recorder.http({
        method: upperMethod,
        status: reply.status,
        name,
        tags,
        durationMs: reply.timings.duration,
        sentBytes,
        receivedBytes: reply.bodyBytes + headerBytes(reply.headers, "HTTP/1.1 200 OK"),
        failure: expected ? undefined : "status",
      });
      return makeResponse(url, reply);
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      const durationMs = clock.nowMs() - startedMs;
      const kind = classifyHttpError(error);
      recorder.http({
        method: upperMethod,
        status: 0,
        name,
        tags,
        durationMs,
        sentBytes,
        receivedBytes: 0,
        failure: kind,
      });
      return {
        status: 0,
        headers: {},
        body: null,
        timings: { duration: durationMs },
        error: describeError(error),
        errorKind: kind,
        url,
        json: () => null,
      };
    }
  }

  return {
    request,
    get: (url, params) => request("GET", url, undefined, params),
    post: (url, body, params) => request("POST", url, body, params),
    put: (url, body, params) => request("PUT", url, body, params),
    patch: (url, body, params) => request("PATCH", url, body, params),
    del: (url, body, params) => request("DELETE", url, body, params),
    batch: (requests) =>
      Promise.all(
        requests.map((entry) => {
          const spec: HttpRequestSpec = Array.isArray(entry)
            ? { method: entry[0], url: entry[1] }
            : entry;
          return request(spec.method, spec.url, spec.body, spec.params);
        }),
      ),
  };
}

function makeResponse(url: string, reply: TransportResponse): HttpResponse {
  return {
    status: reply.status,
    headers: reply.headers,
    body: reply.body,
    timings: reply.timings,
    url,
    json() {
      if (reply.body === null) throw new TypeError(`response of ${url} has no body to parse`);
      return JSON.parse(reply.body);
    },
  };
}

/** Merges the iteration's tags (its group) under the request's own tags. */
function mergeTags(
  context: Readonly<Record<string, string>> | undefined,
  request: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  if (!context) return request;
  return request ? { ...context, ...request } : context;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Wraps the standard fetch so that each call is measured and labelled. The body is read
 * before the promise resolves, so the duration covers the whole response as k6's
 * `http_req_duration` does; the returned Response holds the same body.
 */
export function createInstrumentedFetch(
  baseFetch: typeof fetch,
  instrument: HttpInstrument,
  signal: AbortSignal,
  contextTags?: () => Readonly<Record<string, string>> | undefined,
): typeof fetch {
  const { clock, recorder, names, config } = instrument;
  return async function instrumentedFetch(
    input: RequestInfo | URL,
    init?: RequestInit & { tags?: Record<string, string> },
  ): Promise<Response> {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (
      init?.method ?? (input instanceof Request ? input.method : "GET")
    ).toUpperCase();
    const name = names.bound(init?.tags?.name ?? requestName(url));
    const tags = mergeTags(contextTags?.(), init?.tags);
    const startedMs = clock.nowMs();
    let response: Response;
    let body: ArrayBuffer;
    try {
      response = await baseFetch(input, { ...init, signal: init?.signal ?? signal });
      body = await response.arrayBuffer();
    } catch (error) {
      if (signal.aborted) throw error;
      recorder.http({
        method,
        status: 0,
        name,
        tags,
        durationMs: clock.nowMs() - startedMs,
        sentBytes: 0,
        receivedBytes: 0,
        failure: classifyHttpError(error),
      });
      throw error;
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    recorder.http({
      method,
      status: response.status,
      name,
      tags,
      durationMs: clock.nowMs() - startedMs,
      sentBytes: headerBytes({}, `${method} ${url} HTTP/1.1`),
      receivedBytes: body.byteLength + headerBytes(headers, "HTTP/1.1 200 OK"),
      failure: isExpectedStatus(response.status, config.expectedStatuses) ? undefined : "status",
    });
    const copy = new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    Object.defineProperty(copy, "url", { value: response.url });
    return copy;
  } as typeof fetch;
}
