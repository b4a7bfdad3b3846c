import type { Logger } from "../core/types.ts";
import type { RunResult } from "../core/run.ts";
import type { PromRecorder } from "../metrics/recorder.ts";
import type { SeriesSampler } from "../metrics/series.ts";
import { writeTextFile } from "../runtime/files.ts";
import { renderReportHtml } from "../server/report-html.ts";

/**
 * Writes the HTML report of `result` to `path`, with the sampler's series over the whole
 * run. A failed write is logged and counted as an `output` error, so a run that otherwise
 * passed exits 111.
 */
export async function writeReport(
  path: string,
  result: RunResult,
  sampler: SeriesSampler,
  services: { logger: Logger; recorder: PromRecorder },
): Promise<void> {
  await sampler.sample();
  const html = renderReportHtml(result, sampler.history(), new Date());
  try {
    await writeTextFile(path, html);
    services.logger.info(`report written to ${path}`);
  } catch (error) {
    services.recorder.error("output");
    services.logger.error(`cannot write the report to ${path}: ${(error as Error).message}`);
  }
}
