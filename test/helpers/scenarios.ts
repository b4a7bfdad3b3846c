import { Run, type RunOptions } from "../../src/core/run.ts";
import type { ScenarioDefinition } from "../../src/core/scenario-loader.ts";
import type { Clock, IterationFunction, Logger } from "../../src/core/types.ts";
import type { HttpTransport } from "../../src/core/http-client.ts";
import { PromRecorder } from "../../src/metrics/recorder.ts";
import { HarnessMetrics } from "../../src/metrics/registry.ts";

export { defineScenario } from "../../src/core/scenario-loader.ts";

/** A logger that keeps its lines for assertions. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

/** A transport that must not be used: in-memory scenarios of the core tests make no request. */
const noTransport: HttpTransport = {
  send: () => Promise.reject(new Error("no HTTP transport in this test")),
  close: async () => {},
};

/** A run over `definitions` on `clock`, with real metrics and no process metrics. */
export function createTestRun(
  definitions: ScenarioDefinition[],
  clock: Clock,
  overrides: Partial<RunOptions> = {},
) {
  const metrics = new HarnessMetrics({ processMetrics: false });
  const recorder = new PromRecorder(metrics);
  const logger = new MemoryLogger();
  const run = new Run(definitions, {
    clock,
    recorder,
    logger,
    createTransport: () => noTransport,
    fetch: () => Promise.reject(new Error("no fetch in this test")),
    env: {},
    loopMonitorIntervalMs: 0,
    ...overrides,
  });
  return { run, metrics, recorder, logger };
}

/**
 * The value of one series in prom-client's registry, or undefined when it does not exist.
 * Histogram series are named with their suffix: `harness_x_seconds_count`, `_sum`, `_bucket`.
 */
export async function metricValue(
  metrics: HarnessMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const base = name.replace(/_(count|sum|bucket)$/, "");
  const metric = metrics.registry.getSingleMetric(name) ?? metrics.registry.getSingleMetric(base);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  const match = values.find(
    (value) =>
      ((value as { metricName?: string }).metricName ?? name) === name &&
      Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return match?.value;
}
