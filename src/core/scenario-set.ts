import { ControlError, type LoadProblem, type ScenarioFiles } from "./control.ts";
import { applyOverrides, type ScenarioOverrides } from "./overrides.ts";
import type { Recorder } from "./recorder.ts";
import type { Run } from "./run.ts";
import {
  loadScenarioFile,
  ScenarioLoadError,
  type ModuleLoader,
  type ScenarioDefinition,
} from "./scenario-loader.ts";
import type { Logger } from "./types.ts";

export interface ScenarioSetOptions {
  run: Run;
  loadModule: ModuleLoader;
  recorder: Recorder;
  logger: Logger;
  overrides?: ScenarioOverrides;
  /**
   * Resolves a path relative to a scenarios folder to an absolute path inside it.
   * Absent when the run has no scenarios folder.
   *
   * @throws {ControlError} when the path leaves the folder or names no file.
   */
  resolveFile?(file: string): Promise<string>;
}

/** Requester named in the log line of changes that the folder watcher reports. */
const WATCHER = "the folder watcher";

/**
 * The scenario files of a running run, by absolute path: loads new files, reloads changed
 * ones and retires removed ones. Operations run one at a time, in the order requested.
 *
 * A reload keeps each scenario whose options did not change and gives it the new code:
 * running iterations finish on the old code and new ones use the new code. A scenario whose
 * options changed is retired and started again with the new options under the same name,
 * so it reuses its metric series. A file that fails to load keeps its previous version.
 */
export class ScenarioSet implements ScenarioFiles {
  readonly #files = new Map<string, ScenarioDefinition[]>();
  readonly #problems = new Map<string, LoadProblem>();
  readonly #options: ScenarioSetOptions;
  #queue: Promise<unknown> = Promise.resolve();
  /** Module version of the next load; every load gets a new one, so no module cache serves it. */
  #nextVersion = 1;

  constructor(options: ScenarioSetOptions) {
    this.#options = options;
  }

  /** Files whose latest load failed, oldest first. */
  get problems(): LoadProblem[] {
    return [...this.#problems.values()];
  }

  /** Records the definitions that the run started with. */
  track(definitions: ScenarioDefinition[]): void {
    for (const definition of definitions) {
      const list = this.#files.get(definition.file) ?? [];
      list.push(definition);
      this.#files.set(definition.file, list);
    }
  }

  /** Records a file that failed to load before the run started, so the status lists it. */
  trackProblem(file: string, reason: string): void {
    this.#problems.set(file, { file, reason, atSeconds: 0 });
  }

  has(file: string): boolean {
    return this.#files.has(file);
  }

  /**
   * Loads a file named relative to a scenarios folder, on an operator's request.
   *
   * @throws {ControlError} `invalid` for a bad path or a file that fails to load,
   *   `not-found` for a missing file, `conflict` for a file already loaded.
   */
  addFile(file: string, client: string): Promise<{ file: string; scenarios: string[] }> {
    return this.#serial(async () => {
      if (!this.#options.resolveFile) {
        throw new ControlError("conflict", "this run has no scenarios folder to load files from");
      }
      const path = await this.#options.resolveFile(file);
      if (this.#files.has(path)) {
        throw new ControlError(
          "conflict",
          `${file} is already loaded; change the file to reload it`,
        );
      }
      let definitions: ScenarioDefinition[];
      try {
        definitions = await this.#load(path);
      } catch (error) {
        this.#report(path, error);
        throw new ControlError("invalid", (error as Error).message);
      }
      this.#checkNames(path, definitions, []);
      const state = this.#options.run.state;
      if (state !== "running") {
        throw new ControlError("conflict", `the run ended while ${file} loaded (it is ${state})`);
      }
      this.#start(path, definitions);
      this.#log(`loaded ${path} (${names(definitions)})`, client);
      return { file: path, scenarios: definitions.map((definition) => definition.name) };
    });
  }

  /** Loads a new file or reloads a known one; a failure is reported and changes nothing. */
  fileChanged(path: string): Promise<void> {
    return this.#serial(async () => {
      const previous = this.#files.get(path);
      let definitions: ScenarioDefinition[];
      try {
        definitions = await this.#load(path);
        this.#checkNames(path, definitions, previous ?? []);
      } catch (error) {
        const verb = previous?.length === 1 ? "keeps" : "keep";
        const kept = previous ? `; ${names(previous)} ${verb} running the previous version` : "";
        this.#report(path, error, kept);
        return;
      }
      if (this.#options.run.state !== "running") return;
      if (previous) this.#reload(path, previous, definitions);
      else {
        this.#start(path, definitions);
        this.#log(`loaded ${path} (${names(definitions)})`, WATCHER);
      }
    });
  }

  /** Retires every scenario of a removed file: no new iterations, running ones get gracefulStop. */
  fileRemoved(path: string): Promise<void> {
    return this.#serial(async () => {
      this.#problems.delete(path);
      const definitions = this.#files.get(path);
      if (!definitions) return;
      this.#files.delete(path);
      for (const definition of definitions) this.#options.run.retire(definition.name, "reload");
      this.#log(`retired ${path} (${names(definitions)}) because the file was removed`, WATCHER);
    });
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => {});
    return result;
  }

  async #load(path: string): Promise<ScenarioDefinition[]> {
    const definitions = await loadScenarioFile(path, this.#options.loadModule, this.#nextVersion++);
    const { overrides, logger } = this.#options;
    if (overrides) {
      for (const definition of definitions) {
        for (const note of applyOverrides(definition.name, definition.config, overrides)) {
          logger.info(note);
        }
      }
    }
    return definitions;
  }

  /** Rejects names that a scenario of another file already uses while it runs. */
  #checkNames(path: string, definitions: ScenarioDefinition[], previous: ScenarioDefinition[]) {
    const own = new Set(previous.map((definition) => definition.name));
    for (const definition of definitions) {
      const runner = this.#options.run.runners.get(definition.name);
      const live = runner && runner.state !== "finished" && runner.definition.file !== path;
      if (live && !own.has(definition.name)) {
        throw new ControlError(
          "conflict",
          `scenario ${definition.name} of ${path} is already running from ${runner.definition.file}; rename one file`,
        );
      }
    }
  }

  #start(path: string, definitions: ScenarioDefinition[]): void {
    this.#problems.delete(path);
    this.#files.set(path, definitions);
    this.#options.run.addDefinitions(definitions);
  }

  #reload(path: string, previous: ScenarioDefinition[], next: ScenarioDefinition[]): void {
    const run = this.#options.run;
    const old = new Map(previous.map((definition) => [definition.name, definition]));
    const restarted: ScenarioDefinition[] = [];
    const replaced: string[] = [];
    for (const definition of next) {
      const before = old.get(definition.name);
      old.delete(definition.name);
      const runner = run.runners.get(definition.name);
      const live = runner && runner.state !== "finished" && runner.state !== "stopping";
      if (before && live && sameOptions(before, definition)) {
        runner.replaceCode(definition);
        replaced.push(definition.name);
        continue;
      }
      // NOTE: the restarted scenario's new runner replaces the old one in `run.runners`, so
      // the end-of-test summary shows only the counts since the restart. The metrics keep both.
      if (before) run.retire(definition.name, "reload");
      restarted.push(definition);
    }
    for (const name of old.keys()) run.retire(name, "reload");
    this.#problems.delete(path);
    this.#files.set(path, next);
    if (restarted.length > 0) run.addDefinitions(restarted);

    const parts = [];
    if (replaced.length > 0) parts.push(`new code for ${replaced.join(", ")}`);
    if (restarted.length > 0) parts.push(`started ${names(restarted)} with their options`);
    if (old.size > 0) parts.push(`retired ${[...old.keys()].join(", ")}`);
    this.#log(`reloaded ${path}: ${parts.join("; ")}`, WATCHER);
  }

  #report(path: string, error: unknown, suffix = ""): void {
    const reason = error instanceof ScenarioLoadError ? error.reason : (error as Error).message;
    const invalidOptions = reason.startsWith("invalid options");
    this.#options.recorder.error(invalidOptions ? "config" : "load");
    this.#problems.delete(path);
    const atSeconds = this.#options.run.elapsedMs / 1000;
    this.#problems.set(path, { file: path, reason, atSeconds });
    this.#options.logger.error(`failed to load scenario ${path}: ${reason}${suffix}`);
  }

  #log(action: string, client: string): void {
    this.#options.logger.info(`control: ${action} (requested by ${client})`);
  }
}

function names(definitions: ScenarioDefinition[]): string {
  return definitions.map((definition) => definition.name).join(", ");
}

/** True when a reload leaves the scenario's schedule as it was. */
function sameOptions(before: ScenarioDefinition, after: ScenarioDefinition): boolean {
  // NOTE: a change to the file's `http` options alone does not restart the scenario. Its
  // HTTP client keeps the settings it was opened with until the run ends.
  return JSON.stringify(before.config) === JSON.stringify(after.config);
}
