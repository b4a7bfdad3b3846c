import type { Sample, SampleBus, SampleMetric } from "../core/samples.ts";
import { SAMPLE_METRICS } from "../core/samples.ts";
import type { Clock, Logger } from "../core/types.ts";
import { openTextWriter, type TextWriter } from "../runtime/files.ts";

/** Bytes of JSON lines kept before they are handed to the file. */
const FLUSH_BYTES = 64 * 1024;

const METRIC_TYPES: Record<SampleMetric, { type: string; contains: string }> = {
  http_req_duration: { type: "trend", contains: "time" },
  http_req_failed: { type: "rate", contains: "default" },
  http_reqs: { type: "counter", contains: "default" },
  data_sent: { type: "counter", contains: "data" },
  data_received: { type: "counter", contains: "data" },
  iteration_duration: { type: "trend", contains: "time" },
  iteration_latency: { type: "trend", contains: "time" },
  iteration_start_lag: { type: "trend", contains: "time" },
  iterations: { type: "counter", contains: "default" },
  iterations_attempted: { type: "counter", contains: "default" },
  iterations_started: { type: "counter", contains: "default" },
  dropped_iterations: { type: "counter", contains: "default" },
  checks: { type: "rate", contains: "default" },
  group_duration: { type: "trend", contains: "time" },
};

/**
 * `--out json=FILE`: one JSON object per line, in k6's JSON output format. The first
 * sample of each metric is preceded by a `{"type":"Metric"}` line that gives its type.
 * Each sample is a `{"type":"Point"}` line with its wall-clock time, value and tags.
 * Durations are in milliseconds.
 */
export class JsonOutput {
  readonly #writer: TextWriter;
  readonly #declared = new Set<SampleMetric>();
  /** Wall-clock time in ms at run-clock time 0. */
  readonly #epochOffsetMs: number;
  #buffer: string[] = [];
  #bufferedBytes = 0;

  constructor(
    readonly path: string,
    clock: Clock,
    logger: Logger,
    onError: () => void,
  ) {
    this.#epochOffsetMs = Date.now() - clock.nowMs();
    this.#writer = openTextWriter(path, (error) => {
      onError();
      logger.error(`--out json=${path}: write failed: ${error.message}; later samples are dropped`);
    });
  }

  subscribe(samples: SampleBus): void {
    samples.subscribe(SAMPLE_METRICS, (sample) => this.write(sample));
  }

  write(sample: Sample): void {
    if (!this.#declared.has(sample.metric)) {
      this.#declared.add(sample.metric);
      this.#push(
        JSON.stringify({
          type: "Metric",
          metric: sample.metric,
          data: { name: sample.metric, ...METRIC_TYPES[sample.metric] },
        }),
      );
    }
    this.#push(
      JSON.stringify({
        type: "Point",
        metric: sample.metric,
        data: {
          time: new Date(this.#epochOffsetMs + sample.timeMs).toISOString(),
          value: sample.value,
          tags: sample.tags,
        },
      }),
    );
  }

  #push(line: string): void {
    this.#buffer.push(line);
    this.#bufferedBytes += line.length + 1;
    if (this.#bufferedBytes >= FLUSH_BYTES) this.#flush();
  }

  #flush(): void {
    if (this.#buffer.length === 0) return;
    this.#writer.write(this.#buffer.join("\n") + "\n");
    this.#buffer = [];
    this.#bufferedBytes = 0;
  }

  /** Writes what is buffered and closes the file. */
  close(): Promise<void> {
    this.#flush();
    return this.#writer.close();
  }
}
