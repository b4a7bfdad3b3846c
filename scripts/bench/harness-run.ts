// Builds a run of the harness in-process, as the CLI does, for the benchmark probes.
import { Run } from "../../src/core/run.ts";
import { defineScenario, type ScenarioDefinition } from "../../src/core/scenario-loader.ts";
import type { IterationFunction, Logger } from "../../src/core/types.ts";
import { PromRecorder } from "../../src/metrics/recorder.ts";
import { HarnessMetrics } from "../../src/metrics/registry.ts";
import { systemClock } from "../../src/runtime/clock.ts";
import { transportFactory } from "../../src/runtime/http-transport.ts";

/** Warnings of the run under measurement; printed to stderr so they do not mix with results. */
const stderrLogger: Logger = {
  info: () => {},
  warn: (message) => console.error(`warn ${message}`),
  error: (message) => console.error(`error ${message}`),
};

/** A scenario definition built in memory, as a file under /bench exporting `options` would give. */
export function benchScenario(
  name: string,
  options: Record<string, unknown>,
  iterate: IterationFunction,
): ScenarioDefinition {
  return defineScenario(name, options, iterate, "/bench");
}

/**
 * Runs `definition` to its end with every metric on: prom-client's process metrics, the
 * pool monitor, the event-loop lag timer, the runtime's HTTP transport and the wall clock.
 */
export async function runToEnd(definition: ScenarioDefinition) {
  const metrics = new HarnessMetrics();
  const recorder = new PromRecorder(metrics);
  const createTransport = await transportFactory();
  const run = new Run([definition], {
    clock: systemClock,
    recorder,
    logger: stderrLogger,
    createTransport,
    fetch: globalThis.fetch,
    env: {},
  });
  await run.start();
  const result = await run.finished;
  const runner = run.runners.get(definition.name)!;
  return { run, result, runner, recorder, metrics };
}
