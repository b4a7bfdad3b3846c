import {
  OptionsError,
  parseFileOptions,
  type FileOptions,
  type ScenarioConfig,
} from "./options.ts";
import type { IterationFunction, ScenarioModule } from "./types.ts";

/** Extensions of scenario files, in the order a folder listing keeps them. */
export const SCENARIO_EXTENSIONS = [".ts", ".js", ".mjs"] as const;

/** Maximum length of a scenario name, so that the `scenario` label stays bounded. */
export const MAX_NAME_LENGTH = 64;
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Imports a module by path; `version` changes when the file must be evaluated anew. */
export type ModuleLoader = (path: string, version: number) => Promise<ScenarioModule>;

/** A loaded, validated scenario, ready to schedule. */
export interface ScenarioDefinition {
  /** File name without extension, or `<file>.<key>` for an entry of `options.scenarios`. */
  name: string;
  file: string;
  config: ScenarioConfig;
  iterate: IterationFunction;
  /** The whole file's module and options, shared by every scenario of the file. */
  module: ScenarioModule;
  fileOptions: FileOptions;
}

/**
 * Builds the definition of one scenario in memory from `options` and `iterate`, as a file
 * at `<folder>/<name>.ts` exporting them would give, for tests and in-process runs.
 *
 * @throws {OptionsError} when `options` is invalid.
 */
export function defineScenario(
  name: string,
  options: Record<string, unknown>,
  iterate: IterationFunction,
  folder = "/virtual",
): ScenarioDefinition {
  const file = `${folder}/${name}.ts`;
  const fileOptions = parseFileOptions(file, options);
  return {
    name,
    file,
    config: fileOptions.scenarios[0]!.config,
    iterate,
    module: { default: iterate, options },
    fileOptions,
  };
}

/** A scenario file that could not be loaded, with the cause in one line as `reason`. */
export class ScenarioLoadError extends Error {
  override name = "ScenarioLoadError";
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`failed to load scenario ${file}: ${reason}`, options);
  }
}

/** The base name of `file` without its scenario extension. */
export function scenarioBaseName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const extension = SCENARIO_EXTENSIONS.find((ext) => base.endsWith(ext));
  return extension ? base.slice(0, -extension.length) : base;
}

export function isScenarioFile(file: string): boolean {
  const base = file.split(/[\\/]/).pop() ?? file;
  if (base.startsWith(".") || base.endsWith(".d.ts")) return false;
  return SCENARIO_EXTENSIONS.some((ext) => base.endsWith(ext));
}

/** Checks a scenario name; returns the problem, or undefined when the name is valid. */
export function checkScenarioName(name: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH) {
    return `name "${name}" is longer than ${MAX_NAME_LENGTH} characters; rename the file`;
  }
  if (!NAME_PATTERN.test(name)) {
    return `name "${name}" may contain only letters, digits, "-" and "_"; rename the file`;
  }
  return undefined;
}

/**
 * Loads one scenario file and returns its scenarios.
 *
 * @throws {ScenarioLoadError} when the file cannot be imported, throws at import, has no
 *   iteration function, has an invalid name or invalid options (every option problem listed).
 */
export async function loadScenarioFile(
  file: string,
  loadModule: ModuleLoader,
  version = 0,
): Promise<ScenarioDefinition[]> {
  const base = scenarioBaseName(file);
  const nameProblem = checkScenarioName(base);
  if (nameProblem) throw new ScenarioLoadError(file, nameProblem);

  let module: ScenarioModule;
  try {
    module = await loadModule(file, version);
  } catch (error) {
    throw new ScenarioLoadError(file, firstLine(error) + k6ImportHint(error), { cause: error });
  }

  let fileOptions: FileOptions;
  try {
    fileOptions = parseFileOptions(file, module.options);
  } catch (error) {
    if (error instanceof OptionsError) {
      const list = error.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
      throw new ScenarioLoadError(file, `invalid options: ${list}`, { cause: error });
    }
    throw error;
  }

  const problems: string[] = [];
  const definitions: ScenarioDefinition[] = [];
  for (const { key, config } of fileOptions.scenarios) {
    const iterate = module[config.exec];
    if (typeof iterate !== "function") {
      problems.push(
        config.exec === "default"
          ? "no default export; export default an async function (ctx) that runs one iteration"
          : `exec "${config.exec}" names no exported function; export it or fix options.scenarios.${key}.exec`,
      );
      continue;
    }
    const name = key === undefined ? base : `${base}.${key}`;
    if (name.length > MAX_NAME_LENGTH) {
      problems.push(`scenario name "${name}" is longer than ${MAX_NAME_LENGTH} characters`);
      continue;
    }
    definitions.push({
      name,
      file,
      config,
      iterate: iterate as IterationFunction,
      module,
      fileOptions,
    });
  }
  if (problems.length > 0) throw new ScenarioLoadError(file, problems.join("; "));
  return definitions;
}

/** A hint for a load error that names a `k6` or `k6/...` module, which this harness lacks. */
function k6ImportHint(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (!/["'`]k6(\/[^"'`]*)?["'`]/.test(text)) return "";
  return (
    "; edge-harness has no k6 modules: remove the k6 imports and use ctx.http, " +
    "ctx.check and ctx.sleep of the iteration's ctx argument instead"
  );
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(0, 3)
    .join(" | ");
}
