// Runs probes of `npm run bench` on the runtime that runs this file, in order, and prints
// each result as one line "BENCH_RESULT {json}" on stdout. The bench script spawns it per
// figure and runtime, so that measurements start in a fresh process.
// Usage: probe.ts NAME '{"arg": value}' [NAME '{"arg": value}' ...]
import process from "node:process";
import {
  probeArrivals,
  probeAutocannon,
  probeHeap,
  probeHttp,
  probeMetrics,
  probeNoop,
} from "./probes.ts";

const probes: Record<string, (args: never) => Promise<unknown>> = {
  http: probeHttp,
  autocannon: probeAutocannon,
  arrivals: probeArrivals,
  noop: probeNoop,
  heap: probeHeap,
  metrics: probeMetrics,
};

const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
const argv = deno ? deno.args : process.argv.slice(2);
for (let index = 0; index < argv.length; index += 2) {
  const name = argv[index]!;
  const probe = probes[name];
  if (!probe) {
    console.error(`unknown probe "${name}"; expected one of ${Object.keys(probes).join(", ")}`);
    process.exit(2);
  }
  const result = await probe(JSON.parse(argv[index + 1] ?? "{}") as never);
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}
process.exit(0);
