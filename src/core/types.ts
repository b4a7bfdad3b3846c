/**
 * Public types of the scenario contract and of the services the core receives from
 * `src/runtime/`. Nothing here touches a runtime-specific API.
 */

/** Monotonic time source and timers; tests inject a fake one. */
export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic, with sub-millisecond precision. */
  nowMs(): number;
  /** Calls `callback` once after `delayMs` milliseconds; returns a handle for `clearTimer`. */
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Injected logger: library code reports through it and never prints. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type IterationStatus = "success" | "failure" | "cancelled";
export type CancellationSource = "shutdown" | "timeout" | "operator" | "reload";
export type HarnessErrorKind = "load" | "config" | "internal" | "output";
export type HttpFailureKind = "status" | "refused" | "reset" | "timeout" | "dns" | "tls" | "other";

/** Options of `ctx.http` requests, as k6's request params. */
export interface HttpParams {
  headers?: Record<string, string>;
  /** Tags of the request; `name` becomes the `name` label of the HTTP metrics. */
  tags?: Record<string, string>;
  /** Request timeout in milliseconds (or a k6 duration string); default 60 s. */
  timeout?: number | string;
  /** Statuses that count as success; default 200 to 399. */
  expectedStatuses?: Array<number | { min: number; max: number }>;
  /** `"none"` discards the body after reading it, as k6's `responseType: "none"`. */
  responseType?: "text" | "none";
}

/** Phase timings of one request in milliseconds; a phase the client does not expose is absent. */
export interface HttpTimings {
  duration: number;
  waiting?: number;
  receiving?: number;
  connecting?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Response body as text, or null when bodies are discarded. */
  body: string | null;
  timings: HttpTimings;
  /** Set when the request failed at the network level (status is then 0). */
  error?: string;
  errorKind?: HttpFailureKind;
  url: string;
  json(): unknown;
}

export type HttpBody = string | Uint8Array | Record<string, unknown> | null | undefined;

export interface HttpRequestSpec {
  method: string;
  url: string;
  body?: HttpBody;
  params?: HttpParams;
}

/** The k6-like client of `ctx.http`. */
export interface HttpClient {
  request(method: string, url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse>;
  get(url: string, params?: HttpParams): Promise<HttpResponse>;
  post(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse>;
  put(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse>;
  patch(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse>;
  del(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse>;
  batch(requests: Array<HttpRequestSpec | [string, string]>): Promise<HttpResponse[]>;
}

/** What a scenario iteration receives. */
export interface ScenarioContext<Data = unknown> {
  /** The standard fetch, instrumented with the HTTP metrics. The body is read before it resolves. */
  fetch: typeof fetch;
  http: HttpClient;
  /** Runs each predicate on `value`; returns true when all pass. Counted per check name. */
  check<T>(value: T, predicates: Record<string, (value: T) => boolean>): boolean;
  /** Waits `ms` milliseconds; resolves early when the iteration is cancelled. */
  sleep(ms: number): Promise<void>;
  /** Fires on stop, reload, operator cancellation or iteration timeout. */
  signal: AbortSignal;
  player: { id: number; iteration: number; scenarioIteration: number };
  scenario: { name: string; file: string };
  env: Readonly<Record<string, string>>;
  data: Data;
  log: Logger;
  /** Ends the whole run, as k6's `test.abort()`. */
  abort(reason?: string): never;
  /** Runs `fn` with its requests and checks tagged `group: "::name"`, as k6's `group()`. */
  group<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
}

export type IterationFunction = (ctx: ScenarioContext<any>) => unknown | Promise<unknown>;

export interface SetupContext {
  env: Readonly<Record<string, string>>;
  fetch: typeof fetch;
  http: HttpClient;
  log: Logger;
  signal: AbortSignal;
}

/** A scenario module as loaded from a file. */
export interface ScenarioModule {
  default?: IterationFunction;
  options?: unknown;
  setup?: (ctx: SetupContext) => unknown;
  teardown?: (ctx: SetupContext, data: unknown) => unknown;
  [exportName: string]: unknown;
}
