import type { Run, RunResult } from "../core/run.ts";
import { SampleBus } from "../core/samples.ts";
import type { ScenarioDefinition } from "../core/scenario-loader.ts";
import { buildSummaryData, type SummaryData, type SummaryTrends } from "../core/summary-data.ts";
import { formatSummary } from "../core/summary.ts";
import { ThresholdMonitor } from "../core/threshold-monitor.ts";
import type { Clock, Logger } from "../core/types.ts";
import type { PromRecorder } from "../metrics/recorder.ts";
import { Trend } from "../metrics/trend.ts";
import { writeTextFile } from "../runtime/files.ts";
import { writeErr, writeOut } from "../runtime/process.ts";
import type { RunCommand } from "./args.ts";
import { JsonOutput } from "./json-output.ts";

/** Return value of `handleSummary(data)`: output name (`stdout`, `stderr` or a path) to content. */
type SummaryOutputs = Record<string, unknown>;

/**
 * Everything a run reports besides its live metrics: thresholds (evaluated during the run
 * and at its end), `--out json`, and the end-of-test summary with `handleSummary` and
 * `--summary-export`.
 */
export class Reporting {
  readonly samples = new SampleBus();
  readonly monitor: ThresholdMonitor;
  readonly #outputs: JsonOutput[];

  constructor(
    private readonly definitions: ScenarioDefinition[],
    private readonly command: RunCommand,
    private readonly recorder: PromRecorder,
    private readonly logger: Logger,
    clock: Clock,
  ) {
    // NOTE: thresholds come from the files loaded at the start; files added during the run
    // (POST /v1/scenarios, --watch) are not watched by any threshold.
    this.monitor = new ThresholdMonitor(definitions, this.samples, {
      clock,
      recorder,
      createTrend: () => new Trend(),
    });
    this.#outputs = command.outputs.map((output) => {
      const json = new JsonOutput(output.path, clock, logger, () => recorder.error("output"));
      json.subscribe(this.samples);
      return json;
    });
  }

  start(run: Run): void {
    this.monitor.start(run);
  }

  /**
   * Evaluates the thresholds one last time, closes the outputs and writes the summary.
   * Resolves to true when every threshold holds.
   */
  async finish(result: RunResult): Promise<boolean> {
    this.monitor.stop();
    const thresholds = this.monitor.evaluate();
    await Promise.all(this.#outputs.map((output) => output.close()));
    if (!this.command.summary) return thresholds.every((threshold) => threshold.passing);
    const data = buildSummaryData(result, {
      thresholds,
      trendStats: this.command.summaryTrendStats,
      trends: this.#trends(),
    });
    await this.#writeSummary(data);
    if (this.command.summaryExport) await this.#export(this.command.summaryExport, data);
    return thresholds.every((threshold) => threshold.passing);
  }

  #trends(): SummaryTrends {
    const recorder = this.recorder;
    return {
      scenario(name) {
        const trends = recorder.scenario(name).exactTrends();
        return {
          iteration_duration: trends.service,
          iteration_start_lag: trends.startLag,
          iteration_latency: trends.latency,
          http_req_duration: trends.http,
        };
      },
      merge: (list) => Trend.merge(list as Trend[]),
    };
  }

  /** Prints the text summary, or what the first `handleSummary` export returns instead. */
  async #writeSummary(data: SummaryData): Promise<void> {
    const text = () => formatSummary(data, { color: this.command.color });
    const handlers = [...new Set(this.definitions.map((definition) => definition.module))]
      .map((module) => ({ module, handle: module.handleSummary }))
      .filter(({ handle }) => typeof handle === "function");
    if (handlers.length === 0) return writeOut(text());
    if (handlers.length > 1) {
      this.logger.warn(`${handlers.length} files export handleSummary; only the first one's runs`);
    }
    let outputs: SummaryOutputs;
    try {
      const handle = handlers[0]!.handle as (data: SummaryData) => unknown;
      outputs = ((await handle(structuredClone(data))) ?? {}) as SummaryOutputs;
    } catch (error) {
      this.recorder.error("output");
      this.logger.error(
        `handleSummary failed: ${(error as Error).message}; printing the default summary`,
      );
      return writeOut(text());
    }
    for (const [name, content] of Object.entries(outputs)) {
      await this.#writeOutput(name, content);
    }
  }

  async #writeOutput(name: string, content: unknown): Promise<void> {
    const body =
      typeof content === "string" || content instanceof Uint8Array
        ? content
        : JSON.stringify(content, null, 2);
    if (name === "stdout")
      return writeOut(typeof body === "string" ? body : new TextDecoder().decode(body));
    if (name === "stderr")
      return writeErr(typeof body === "string" ? body : new TextDecoder().decode(body));
    try {
      await writeTextFile(name, body);
    } catch (error) {
      this.recorder.error("output");
      this.logger.error(`handleSummary: cannot write ${name}: ${(error as Error).message}`);
    }
  }

  async #export(path: string, data: SummaryData): Promise<void> {
    try {
      await writeTextFile(path, JSON.stringify(data, null, 2) + "\n");
    } catch (error) {
      this.recorder.error("output");
      this.logger.error(`--summary-export ${path}: write failed: ${(error as Error).message}`);
    }
  }
}
