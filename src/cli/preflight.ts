import type { ScenarioDefinition } from "../core/scenario-loader.ts";
import { fileWriteProblem, listScenarioFiles } from "../runtime/files.ts";
import type { RunCommand } from "./args.ts";

/**
 * Checks every output path of `command` (`--out`, `--summary-export`, `--report`) before
 * the run, so that no load is sent for results that cannot be written. Returns one
 * message per path that cannot be written, naming the flag, the path and the fix.
 */
export async function outputPathProblems(command: RunCommand): Promise<string[]> {
  const outputs = command.outputs.map((output) => ({
    flag: `--out json=${output.path}`,
    path: output.path,
  }));
  if (command.summary && command.summaryExport) {
    outputs.push({ flag: "--summary-export", path: command.summaryExport });
  }
  if (command.reportPath) outputs.push({ flag: "--report", path: command.reportPath });
  const problems: string[] = [];
  for (const { flag, path } of outputs) {
    const problem = await fileWriteProblem(path);
    if (problem) {
      problems.push(
        `${flag}: cannot write ${path}: ${problem}; create the folder or pick another file path`,
      );
    }
  }
  return problems;
}

/**
 * Checks that every scenario named by a flag (`--rate NAME=R`) is loaded. Returns the
 * message for the first unknown name, listing the loaded scenarios, or undefined.
 */
export function unknownScenarioProblem(
  command: RunCommand,
  definitions: ScenarioDefinition[],
): string | undefined {
  const names = definitions.map((definition) => definition.name);
  for (const [name, rate] of Object.entries(command.overrides.rateByName ?? {})) {
    if (!names.includes(name)) {
      return (
        `--rate ${name}=${rate}: no scenario named "${name}"; ` +
        `loaded scenarios: ${names.join(", ")}`
      );
    }
  }
  return undefined;
}

/** Checks that every scenario path exists; returns the problem, or undefined. */
export async function scenarioPathProblem(command: RunCommand): Promise<string | undefined> {
  try {
    await listScenarioFiles(command.paths);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
