// The `ctx.http` probes of `npm run bench`: the harness against a bare loop of the runtime's
// fastest client, and autocannon as a second peer for Bun.
import { runtimeName } from "../../src/runtime/detect.ts";
import { benchScenario, runToEnd } from "./harness-run.ts";
import {
  compareRounds,
  cpuUs,
  median,
  now,
  throughput,
  type ProbeResult,
  type Throughput,
} from "./measure.ts";

/** Connections per origin on both sides: the default of the `maxConnectionsPerOrigin` option. */
const MAX_CONNECTIONS = 100;

/** Sends one GET and reads the whole body, with the client `ctx.http` uses on this runtime. */
async function bareClient(url: string) {
  if (runtimeName !== "node") {
    return {
      send: async () => void (await (await fetch(url)).arrayBuffer()),
      close: async () => {},
    };
  }
  const { Agent, request } = await import("undici");
  const agent = new Agent({ connections: MAX_CONNECTIONS, pipelining: 1 });
  return {
    send: async () => void (await (await request(url, { dispatcher: agent })).body.arrayBuffer()),
    close: () => agent.close(),
  };
}

/** Measures `concurrency` loops of the bare client, each sending requests back to back. */
async function bareHttp(url: string, concurrency: number, durationMs: number): Promise<Throughput> {
  const client = await bareClient(url);
  const startedMs = now();
  const startedCpuUs = cpuUs();
  const endMs = startedMs + durationMs;
  let completed = 0;
  const loop = async () => {
    while (now() < endMs) {
      await client.send();
      completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const result = throughput(completed, now() - startedMs, cpuUs() - startedCpuUs);
  await client.close();
  return result;
}

/** Measures a constant-players run of `players` players whose iteration is one `ctx.http.get`. */
async function harnessHttp(url: string, players: number, durationMs: number): Promise<Throughput> {
  const definition = benchScenario(
    "http",
    {
      executor: "constant-players",
      players,
      duration: durationMs,
      maxConnectionsPerOrigin: MAX_CONNECTIONS,
    },
    async (ctx) => void (await ctx.http.get(url)),
  );
  const startedCpuUs = cpuUs();
  const { runner } = await runToEnd(definition);
  const { success, failure } = runner.counts.completed;
  if (failure > 0) console.error(`warn ${failure} of ${success + failure} harness requests failed`);
  return throughput(success, runner.activeMs, cpuUs() - startedCpuUs);
}

/** Measures `ctx.http` against the bare client at the same concurrency and target. */
export async function probeHttp(args: {
  url: string;
  concurrency: number;
  durationMs: number;
  rounds: number;
}) {
  const { url, concurrency, durationMs, rounds } = args;
  const result = await compareRounds(
    (ms) => bareHttp(url, concurrency, ms),
    (ms) => harnessHttp(url, concurrency, ms),
    durationMs,
    rounds,
  );
  return { ...result, client: runtimeName === "node" ? "undici request + Agent" : "fetch" };
}

/** The part of autocannon 8's programmatic API that the bench uses. */
type Autocannon = (options: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
}) => Promise<{ requests: { total: number }; duration: number; errors: number; non2xx: number }>;

/**
 * Measures autocannon (Node only) with `concurrency` connections and one request in flight
 * on each, as the harness's players have. Returns the median of `rounds` runs.
 */
export async function probeAutocannon(args: {
  url: string;
  concurrency: number;
  durationMs: number;
  rounds: number;
}) {
  const { default: autocannon } = (await import("autocannon" as string)) as {
    default: Autocannon;
  };
  const run = async (durationMs: number) => {
    const result = await autocannon({
      url: args.url,
      connections: args.concurrency,
      pipelining: 1,
      duration: durationMs / 1000,
    });
    if (result.errors > 0 || result.non2xx > 0) {
      console.error(`warn autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx`);
    }
    return result.requests.total / result.duration;
  };
  await run(Math.min(500, args.durationMs));
  const rounds: number[] = [];
  for (let round = 0; round < args.rounds; round++) rounds.push(await run(args.durationMs));
  return { perSec: median(rounds), rounds } satisfies ProbeResult;
}
