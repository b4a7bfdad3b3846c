import { RunControl } from "../core/control.ts";
import type { Recorder } from "../core/recorder.ts";
import type { Run } from "../core/run.ts";
import type { ScenarioDefinition, ScenarioLoadError } from "../core/scenario-loader.ts";
import { ScenarioSet } from "../core/scenario-set.ts";
import type { Logger } from "../core/types.ts";
import type { AppState } from "../server/app.ts";
import { listScenarioFolders } from "../runtime/files.ts";
import { loadModule } from "../runtime/module-loader.ts";
import { resolveScenarioPath } from "../runtime/scenario-path.ts";
import { watchFolder, type FolderWatcher } from "../runtime/watch.ts";
import type { RunCommand } from "./args.ts";

/**
 * Gives the server control of `run` (`state.control`) and, with `--watch`, starts watching
 * the scenario folders. Returns a function that stops watching.
 */
export async function attachControl(
  run: Run,
  loaded: { definitions: ScenarioDefinition[]; failures: ScenarioLoadError[] },
  command: RunCommand,
  state: AppState,
  services: { recorder: Recorder; logger: Logger },
): Promise<() => void> {
  const { logger } = services;
  const folders = await listScenarioFolders(command.paths);
  const scenarios = new ScenarioSet({
    run,
    loadModule,
    recorder: services.recorder,
    logger,
    overrides: command.overrides,
    resolveFile:
      folders.length > 0 ? (file: string) => resolveScenarioPath(folders, file) : undefined,
  });
  scenarios.track(loaded.definitions);
  for (const failure of loaded.failures) scenarios.trackProblem(failure.file, failure.reason);
  state.control = new RunControl(run, logger, scenarios);
  if (!command.watch) return () => {};

  if (folders.length === 0) {
    logger.warn("--watch watches scenario folders, and only files were given; nothing is watched");
  }
  const watchers: FolderWatcher[] = [];
  for (const folder of folders) {
    const watcher = await watchFolder(
      folder,
      (changes) => {
        for (const file of [...changes.added, ...changes.changed]) void scenarios.fileChanged(file);
        for (const file of changes.removed) void scenarios.fileRemoved(file);
      },
      { onError: (error) => logger.error(`watching ${folder} failed: ${error.message}`) },
    );
    watchers.push(watcher);
    logger.info(`watching ${folder} for new, changed and removed scenario files`);
  }
  return () => {
    for (const watcher of watchers) watcher.close();
  };
}
