import { applyOverrides } from "../core/overrides.ts";
import { OptionsError } from "../core/options.ts";
import { Run, type RunResult } from "../core/run.ts";
import {
  loadScenarioFile,
  ScenarioLoadError,
  type ScenarioDefinition,
} from "../core/scenario-loader.ts";
import { PromRecorder } from "../metrics/recorder.ts";
import { HarnessMetrics } from "../metrics/registry.ts";
import { SeriesSampler } from "../metrics/series.ts";
import { createApp, type AppState } from "../server/app.ts";
import { createTargetApp } from "../target/app.ts";
import { systemClock } from "../runtime/clock.ts";
import { runtimeVersion } from "../runtime/detect.ts";
import { listScenarioFiles, listScenarioFolders } from "../runtime/files.ts";
import { transportFactory } from "../runtime/http-transport.ts";
import { loadModule } from "../runtime/module-loader.ts";
import {
  commandArgs,
  environment,
  exitProcess,
  onShutdownSignal,
  stderrIsTerminal,
  stdoutIsTerminal,
  writeErr,
  writeOut,
} from "../runtime/process.ts";
import { serve, type ServerHandle } from "../runtime/serve.ts";
import { isLoopback, parseCommandLine, UsageError, type RunCommand } from "./args.ts";
import { attachControl } from "./control-setup.ts";
import { EXIT } from "./exit-codes.ts";
import { ConsoleLogger } from "./logger.ts";
import { outputPathProblems, scenarioPathProblem, unknownScenarioProblem } from "./preflight.ts";
import { Progress } from "./progress.ts";
import { Reporting } from "./reporting.ts";
import { writeReport } from "./report.ts";

/** Runs the command line `argv`; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const env = environment();
  let command: RunCommand | undefined;
  try {
    command = await parseCommandLine(argv, env, { out: writeOut, err: writeErr });
  } catch (error) {
    if (error instanceof UsageError) return EXIT.usage;
    throw error;
  }
  if (!command) return EXIT.ok;
  return runCommand(command, env);
}

async function runCommand(command: RunCommand, env: Record<string, string>): Promise<number> {
  // Log lines go to stderr, so they are colored only when stderr is a terminal.
  const logger = new ConsoleLogger(command.color && stderrIsTerminal());
  if (!isLoopback(command.address.hostname) && !command.token) {
    logger.error(
      `refusing to listen on ${command.address.hostname}, which is reachable from other machines, without a token: ` +
        "set --token or HARNESS_TOKEN, or use a loopback address such as 127.0.0.1",
    );
    return EXIT.invalidConfig;
  }
  // Paths are checked before the servers start and before any load is sent.
  const pathProblems = await outputPathProblems(command);
  const missingPath = await scenarioPathProblem(command);
  if (missingPath) pathProblems.unshift(missingPath);
  if (pathProblems.length > 0) {
    for (const problem of pathProblems) logger.error(problem);
    return EXIT.invalidConfig;
  }

  const metrics = new HarnessMetrics();
  const recorder = new PromRecorder(metrics);
  if (metrics.processMetricsError) {
    logger.warn(
      `process metrics unavailable on ${runtimeVersion()}: ${metrics.processMetricsError}`,
    );
  }
  const series = new SeriesSampler(metrics, { clock: systemClock });
  const state: AppState = { metrics, run: undefined, clock: systemClock, series };
  const servers: ServerHandle[] = [];
  const closeServers = () => Promise.all(servers.splice(0).map((server) => server.close()));

  try {
    const server = await serve(
      createApp(() => state, {
        token: command.token,
        maxRatePerSec: command.maxRatePerSec,
        logger,
      }).fetch,
      command.address.hostname,
      command.address.port,
    );
    servers.push(server);
    logger.info(
      `metrics and status on http://${hostForUrl(server.hostname)}:${server.port} (${runtimeVersion()})`,
    );
  } catch (error) {
    logger.error(
      `cannot listen on ${command.address.hostname}:${command.address.port}: ${(error as Error).message}; ` +
        "pick another port with --address 127.0.0.1:PORT, or :0 for a free one",
    );
    return EXIT.cannotStartServer;
  }

  const runEnv = { ...env, ...command.env };
  if (command.target) {
    const target = await serve(createTargetApp().fetch, "127.0.0.1", 0);
    servers.push(target);
    runEnv.TARGET_URL = `http://127.0.0.1:${target.port}`;
    logger.info(`built-in target on ${runEnv.TARGET_URL}`);
  }

  series.start();
  try {
    const loaded = await loadAll(command, recorder, logger);
    // With --watch, files may still appear in the folders, so an empty start waits for them.
    const waitForFiles =
      command.watch && (await listScenarioFolders(command.paths).catch(() => [])).length > 0;
    if (loaded.definitions.length === 0 && waitForFiles) {
      logger.info("no scenario loaded yet; --watch waits for files until SIGINT or SIGTERM");
    } else if (loaded.definitions.length === 0) {
      logger.error(
        "no scenario to run: every file failed to load, or the paths hold no .ts, .js or .mjs file",
      );
      return loaded.exitCode === EXIT.ok ? EXIT.scriptError : loaded.exitCode;
    }
    const unknownName = unknownScenarioProblem(command, loaded.definitions);
    if (unknownName && loaded.definitions.length > 0) {
      logger.error(unknownName);
      return EXIT.invalidConfig;
    }
    if (loaded.invalidThresholds) {
      logger.error("not starting: fix the invalid thresholds above first");
      return EXIT.invalidConfig;
    }
    // The summary goes to stdout, so it is colored only on a terminal, as k6 does.
    const summaryCommand = { ...command, color: command.color && stdoutIsTerminal() };
    const reporting = new Reporting(
      loaded.definitions,
      summaryCommand,
      recorder,
      logger,
      systemClock,
    );
    const run = new Run(loaded.definitions, {
      clock: systemClock,
      recorder,
      logger,
      createTransport: await transportFactory(),
      fetch: globalThis.fetch.bind(globalThis),
      env: runEnv,
      samples: reporting.samples,
      startPaused: command.paused,
      holdOpen: waitForFiles,
    });
    state.run = run;
    const services = { recorder, logger };
    const stopWatching = await attachControl(run, loaded, command, state, services);
    const result = await execute(run, command, logger, reporting).finally(stopWatching);
    const thresholdsPassed = await reporting.finish(result);
    if (command.reportPath) await writeReport(command.reportPath, result, series, services);
    if (command.linger) await linger(logger);
    const exitCode = exitCodeOf(result, loaded.exitCode, thresholdsPassed);
    if (exitCode === EXIT.ok && (await outputErrorCount(metrics)) > 0) return EXIT.outputFailed;
    return exitCode;
  } finally {
    series.stop();
    await closeServers();
  }
}

/** Loads every file; a file that fails is reported and the others still run. */
async function loadAll(
  command: RunCommand,
  recorder: PromRecorder,
  logger: ConsoleLogger,
): Promise<{
  definitions: ScenarioDefinition[];
  exitCode: number;
  invalidThresholds: boolean;
  /** Files that failed to load, for `loadErrors` in `GET /v1/status`. */
  failures: ScenarioLoadError[];
}> {
  let files: string[];
  try {
    files = await listScenarioFiles(command.paths);
  } catch (error) {
    logger.error((error as Error).message);
    return {
      definitions: [],
      exitCode: EXIT.invalidConfig,
      invalidThresholds: false,
      failures: [],
    };
  }
  const definitions: ScenarioDefinition[] = [];
  const failures: ScenarioLoadError[] = [];
  let exitCode: number = EXIT.ok;
  let invalidThresholds = false;
  for (const file of files) {
    try {
      for (const definition of await loadScenarioFile(file, loadModule)) {
        for (const note of applyOverrides(definition.name, definition.config, command.overrides))
          logger.info(note);
        definitions.push(definition);
      }
    } catch (error) {
      if (!(error instanceof ScenarioLoadError)) throw error;
      failures.push(error);
      const invalidOptions = error.reason.startsWith("invalid options");
      invalidThresholds ||=
        error.cause instanceof OptionsError &&
        error.cause.problems.some((problem) => problem.path.startsWith("options.thresholds"));
      recorder.error(invalidOptions ? "config" : "load");
      logger.error(error.message);
      // Invalid options (104) outrank a file that failed to load (107), as the README's exit-code table lists.
      if (invalidOptions) exitCode = EXIT.invalidConfig;
      else if (exitCode === EXIT.ok) exitCode = EXIT.scriptError;
    }
  }
  return { definitions, exitCode, invalidThresholds, failures };
}

/** Starts `run`, prints progress, and stops it on the first signal; a second signal exits at once. */
async function execute(
  run: Run,
  command: RunCommand,
  logger: ConsoleLogger,
  reporting: Reporting,
): Promise<RunResult> {
  const progress = new Progress(run, {
    quiet: command.quiet,
    terminal: stdoutIsTerminal(),
    write: writeOut,
  });
  const removeSignals = onShutdownSignal((signal, count) => {
    if (count > 1) {
      logger.error(`${signal} again: exiting now without waiting for running iterations`);
      exitProcess(EXIT.externalAbort);
    }
    logger.warn(`${signal}: stopping gracefully; send it again to exit at once`);
    run.stop("shutdown", { kind: "signal", reason: `${signal} received` });
  });
  await run.start();
  reporting.start(run);
  progress.start();
  const result = await run.finished;
  progress.stop();
  removeSignals();
  return result;
}

function linger(logger: ConsoleLogger): Promise<void> {
  logger.info("test finished; --linger keeps the server up until SIGINT or SIGTERM");
  return new Promise((resolve) => {
    const remove = onShutdownSignal(() => {
      remove();
      resolve();
    });
  });
}

function exitCodeOf(result: RunResult, loadExitCode: number, thresholdsPassed: boolean): number {
  const interruption = result.interruption;
  if (interruption?.kind === "script-abort") return EXIT.scriptAborted;
  if (interruption?.kind === "signal" || interruption?.kind === "operator")
    return EXIT.externalAbort;
  if (result.setupErrors.length > 0) return EXIT.scriptError;
  if (loadExitCode !== EXIT.ok) return loadExitCode;
  if (interruption?.kind === "threshold" || !thresholdsPassed) return EXIT.thresholdsFailed;
  return EXIT.ok;
}

/**
 * Returns `harness_errors_total{kind="output"}`: failed writes of --out, --summary-export,
 * --report and handleSummary files, and a handleSummary that threw.
 */
async function outputErrorCount(metrics: HarnessMetrics): Promise<number> {
  const { values } = await metrics.errors.get();
  return values.find((value) => value.labels.kind === "output")?.value ?? 0;
}

function hostForUrl(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/** Runs the command line of this process and exits with its code. */
export async function runProcess(): Promise<never> {
  return exitProcess(await main(commandArgs()));
}
