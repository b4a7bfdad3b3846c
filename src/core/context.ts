import {
  createHttpClient,
  createInstrumentedFetch,
  type HttpInstrument,
  type HttpTransport,
} from "./http-client.ts";
import { RunAbort, type Iteration } from "./iteration.ts";
import type { ScenarioRecorder } from "./recorder.ts";
import type { Clock, HttpClient, Logger, ScenarioContext } from "./types.ts";

/** What every iteration context of one scenario shares. */
export interface ContextShared {
  clock: Clock;
  recorder: ScenarioRecorder;
  instrument: HttpInstrument;
  transport: HttpTransport;
  baseFetch: typeof fetch;
  env: Readonly<Record<string, string>>;
  log: Logger;
  scenario: { name: string; file: string };
  data: unknown;
  onAbort(reason: string): void;
}

/** Waits `ms` milliseconds on `clock`; resolves early, without an error, when `signal` fires. */
export function sleepFor(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clock.clearTimer(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = clock.setTimer(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * The `ctx` of one iteration. Members that need the iteration's signal are getters that
 * build them on first use, so destructuring (`const { sleep } = ctx`) still works and an
 * iteration that uses none of them allocates nothing more.
 */
export class IterationContext implements ScenarioContext {
  #http: HttpClient | undefined;
  #fetch: typeof fetch | undefined;
  /** `{ group: "::outer::inner" }` inside `ctx.group`, as k6 tags samples; undefined outside. */
  #groupTags: Readonly<Record<string, string>> | undefined;

  constructor(
    private readonly shared: ContextShared,
    private readonly iteration: Iteration,
  ) {}

  get signal(): AbortSignal {
    return this.iteration.signal;
  }

  get player() {
    const { player, scenarioIteration } = this.iteration;
    return { id: player.id, iteration: player.iterations - 1, scenarioIteration };
  }

  get scenario() {
    return this.shared.scenario;
  }

  get env() {
    return this.shared.env;
  }

  get data() {
    return this.shared.data;
  }

  get log() {
    return this.shared.log;
  }

  // TODO: reading the signal here builds an AbortController for every HTTP iteration (about
  // 4.6 us on Node 20), and undici adds and removes an abort listener per request (about
  // 5 us). A cancellation token on the iteration, which undici accepts as an emitter, would
  // leave the AbortSignal to scenarios that read `ctx.signal`.
  get http(): HttpClient {
    this.#http ??= createHttpClient(
      this.shared.transport,
      this.shared.instrument,
      this.signal,
      () => this.#groupTags,
    );
    return this.#http;
  }

  get fetch(): typeof fetch {
    this.#fetch ??= createInstrumentedFetch(
      this.shared.baseFetch,
      this.shared.instrument,
      this.signal,
      () => this.#groupTags,
    );
    return this.#fetch;
  }

  get sleep(): (ms: number) => Promise<void> {
    return (ms) => sleepFor(this.shared.clock, ms, this.signal);
  }

  get check() {
    const recorder = this.shared.recorder;
    return <T>(value: T, predicates: Record<string, (value: T) => boolean>): boolean => {
      let all = true;
      for (const [name, predicate] of Object.entries(predicates)) {
        let passed: boolean;
        try {
          passed = Boolean(predicate(value));
        } catch {
          passed = false;
        }
        recorder.check(name, passed, this.#groupTags);
        all &&= passed;
      }
      return all;
    };
  }

  /**
   * Returns `group`: runs `fn` with every request and check inside it tagged
   * `group: "::name"` (nested groups join with `::`, as in k6), and records its duration as
   * `group_duration`.
   *
   * NOTE: the group is the iteration's, so groups run concurrently inside one iteration
   * (`Promise.all`) tag each other's requests. k6 runs groups one after another.
   */
  get group() {
    return async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
      const outer = this.#groupTags;
      const path = `${outer?.group ?? ""}::${name}`;
      this.#groupTags = { group: path };
      const startedMs = this.shared.clock.nowMs();
      try {
        return await fn();
      } finally {
        this.shared.recorder.groupEnded?.(path, this.shared.clock.nowMs() - startedMs);
        this.#groupTags = outer;
      }
    };
  }

  get abort(): (reason?: string) => never {
    return (reason = "ctx.abort() called") => {
      this.shared.onAbort(reason);
      throw new RunAbort(reason);
    };
  }
}
