import { Command, InvalidArgumentError, Option } from "commander";
import { parseDurationMs } from "../core/duration.ts";
import { MAX_PLAYERS, type Stage } from "../core/options.ts";
import type { ScenarioOverrides } from "../core/overrides.ts";
import { DEFAULT_MAX_RATE_PER_SEC } from "../server/control-api.ts";
import { DEFAULT_TREND_STATS, parseTrendStats } from "../core/summary-data.ts";
import { applyEnvironment, ENV_OPTIONS } from "./env-options.ts";

/** Default address of the metrics and control server: loopback, on k6's REST API port. */
export const DEFAULT_ADDRESS = "127.0.0.1:6565";

export interface RunCommand {
  paths: string[];
  /** True when no path was given and the example folder runs. */
  defaultPaths: boolean;
  overrides: ScenarioOverrides;
  env: Record<string, string>;
  address: { hostname: string; port: number };
  token: string | undefined;
  /** Start the built-in target and set TARGET_URL (default: when no path is given). */
  target: boolean;
  quiet: boolean;
  color: boolean;
  linger: boolean;
  /** Load, reload and retire scenarios as files appear in, change in or leave the folders. */
  watch: boolean;
  /** Highest rate the control API accepts, in arrivals per second. */
  maxRatePerSec: number;
  /** Sample outputs of `--out`; only `json` exists. */
  outputs: Array<{ type: "json"; path: string }>;
  summaryExport: string | undefined;
  summaryTrendStats: string[];
  /** False with `--no-summary`: no text summary, no `handleSummary`, no export. */
  summary: boolean;
  /** Start every scenario paused, for the control API to resume. */
  paused: boolean;
  /** HTML report written at the end of the run, if set. */
  reportPath: string | undefined;
}

export class UsageError extends Error {
  override name = "UsageError";
}

function durationArg(value: string): number {
  try {
    return parseDurationMs(value);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}`);
  }
}

/** `--duration`: a run of 0 ms would start no iteration, so it is rejected. */
function runDurationArg(value: string): number {
  const durationMs = durationArg(value);
  if (durationMs <= 0) {
    throw new InvalidArgumentError(
      `invalid duration "${value}": a duration must be above 0, such as 30s`,
    );
  }
  return durationMs;
}

function playerCount(value: string): number {
  const count = positiveInteger(value);
  if (count > MAX_PLAYERS) {
    throw new InvalidArgumentError(
      `${count} players exceeds the maximum of ${MAX_PLAYERS} per instance; spread the load over several instances`,
    );
  }
  return count;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError(`expected an integer >= 1, got "${value}"`);
  }
  return number;
}

function nonNegativeNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0) {
    throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  }
  return number;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses one `--stage DURATION:TARGET`, as k6 writes it ("30s:10"), into a stage. */
export function parseStage(value: string): Stage {
  const index = value.lastIndexOf(":");
  const target = Number(value.slice(index + 1));
  if (
    index <= 0 ||
    value.slice(index + 1).trim() === "" ||
    !Number.isFinite(target) ||
    target < 0
  ) {
    throw new InvalidArgumentError(
      `invalid stage "${value}": use DURATION:TARGET such as 30s:10, with TARGET >= 0`,
    );
  }
  return { durationMs: durationArg(value.slice(0, index)), target };
}

function collectStage(value: string, previous: Stage[] = []): Stage[] {
  return [...previous, parseStage(value)];
}

function collectOutput(value: string, previous: RunCommand["outputs"] = []): RunCommand["outputs"] {
  const index = value.indexOf("=");
  const type = index < 0 ? value : value.slice(0, index);
  const path = index < 0 ? "" : value.slice(index + 1);
  if (type !== "json" || path === "") {
    throw new InvalidArgumentError(
      `invalid output "${value}": use json=FILE (the only output type)`,
    );
  }
  return [...previous, { type, path }];
}

function trendStatsArg(value: string): string[] {
  try {
    return parseTrendStats(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Parses "host:port", "[v6]:port", ":port" or "port"; port 0 selects a free port. */
export function parseAddress(text: string): { hostname: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d+)$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(
      `invalid address "${text}": use host:port such as 127.0.0.1:6565, or :0 for a free port`,
    );
  }
  return { hostname: match[1] ?? (match[2] || "127.0.0.1"), port };
}

/** True for addresses that only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function parseRates(values: string[]): Pick<ScenarioOverrides, "rate" | "rateByName"> {
  const result: Pick<ScenarioOverrides, "rate" | "rateByName"> = {};
  for (const value of values) {
    const [name, text] = value.includes("=") ? value.split("=", 2) : [undefined, value];
    const rate = Number(text);
    if (!Number.isFinite(rate) || rate < 0 || text === "") {
      throw new InvalidArgumentError(
        `invalid rate "${value}": use R or NAME=R with R >= 0 arrivals per second`,
      );
    }
    if (name === undefined) result.rate = rate;
    else (result.rateByName ??= {})[name] = rate;
  }
  return result;
}

function parseEnv(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of values) {
    const index = entry.indexOf("=");
    if (index <= 0) throw new InvalidArgumentError(`invalid --env "${entry}": use KEY=VALUE`);
    env[entry.slice(0, index)] = entry.slice(index + 1);
  }
  return env;
}

/**
 * Parses the command line. Resolves to the run command, or to undefined when commander
 * printed help or the version.
 *
 * @throws {UsageError} with commander's message for an unknown flag or a bad value.
 */
export async function parseCommandLine(
  argv: string[],
  env: Record<string, string>,
  io: { out(text: string): void; err(text: string): void },
): Promise<RunCommand | undefined> {
  let command: RunCommand | undefined;
  const program = new Command("harness")
    .description("Load testing with scenario files that run on Deno, Bun and Node.")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    // One hint line instead of the whole usage, so the error stays on screen.
    .showHelpAfterError('run "harness run --help" for every flag');

  const run = program
    .command("run", { isDefault: true })
    .description("Run scenario files (default: the scenarios/ folder against the built-in target).")
    .argument("[paths...]", "scenario files or folders (.ts, .js, .mjs)")
    .addOption(
      new Option(
        "-d, --duration <duration>",
        'length of every scenario: k6 duration ("30s", "1m30s") or milliseconds ' +
          "(default: each scenario's duration option, 15s)",
      ).argParser(runDurationArg),
    )
    .addOption(
      new Option(
        "-u, --players <count>",
        "players of closed-model scenarios, max players of arrival-rate ones " +
          "(default: each scenario's players option, 1; maxPlayers 100)",
      ).argParser(playerCount),
    )
    .addOption(
      new Option(
        "-i, --iterations <count>",
        "run every scenario as shared-iterations with this many iterations in all " +
          "(default: each scenario's executor)",
      ).argParser(positiveInteger),
    )
    .option(
      "--rate <rate>",
      "arrivals per second (per timeUnit) for every scenario, or NAME=R for one; repeatable " +
        "(default: each scenario's rate option, 10)",
      collect,
    )
    .addOption(
      new Option(
        "-s, --stage <duration:target>",
        "stage of every scenario, e.g. 30s:10 (players, or arrivals per timeUnit for arrival-rate " +
          "scenarios); repeatable; turns scenarios into ramping-players or ramping-arrival-rate",
      ).argParser(collectStage),
    )
    .option("-e, --env <KEY=VALUE>", "variable for ctx.env; repeatable", collect)
    .addOption(
      new Option(
        "-o, --out <json=FILE>",
        "write every sample to FILE as one JSON object per line; repeatable",
      ).argParser(collectOutput),
    )
    .option(
      "--summary-export <file>",
      "write the end-of-test summary as JSON to this file, with each trend's HdrHistogram",
    )
    .addOption(
      new Option(
        "--summary-trend-stats <stats>",
        "trend statistics of the summary: avg, min, med, max, count, p(N); comma-separated",
      )
        .default(DEFAULT_TREND_STATS, DEFAULT_TREND_STATS.join(","))
        .argParser(trendStatsArg),
    )
    .option("--no-summary", "no end-of-test summary, handleSummary() or --summary-export")
    .option("--report <file.html>", "write a self-contained HTML report with charts at the end")
    .option("--paused", "start every scenario paused; resume it through the control API")
    .addHelpText(
      "after",
      "\nEnvironment variables set the same options; a flag wins over its variable, and a " +
        "variable over the script's options:\n" +
        ENV_OPTIONS.map((option) => `  ${option.variable}`).join("\n") +
        "\nNO_COLOR turns colors off, as --no-color does.\n",
    )
    .addOption(
      new Option(
        "--address <host:port>",
        "address of the metrics and control server; :0 for a free port",
      ).default(DEFAULT_ADDRESS),
    )
    .addOption(
      new Option(
        "--token <token>",
        "bearer token required by mutating routes; needed off loopback",
      ).env("HARNESS_TOKEN"),
    )
    .option(
      "--target",
      "start the built-in target and set TARGET_URL (default when no path is given)",
    )
    .option("--no-target", "do not start the built-in target")
    .option("-q, --quiet", "no progress lines")
    .option("--no-color", "plain output, also set by the NO_COLOR variable")
    .option("--linger", "keep the server up after the test until interrupted, for a last scrape")
    .option(
      "--watch",
      "load, reload and retire scenarios as files appear, change or disappear; " +
        "the run lasts until SIGINT or SIGTERM, even with no file",
    )
    .addOption(
      new Option(
        "--max-rate <perSec>",
        "highest rate, in arrivals per second, that the control API accepts",
      )
        .argParser(nonNegativeNumber)
        .default(DEFAULT_MAX_RATE_PER_SEC),
    )
    .action((paths: string[], flags: Record<string, unknown>, self: Command) => {
      try {
        applyEnvironment(self, flags, env);
        command = buildCommand(paths, flags, env);
      } catch (error) {
        self.error(`error: ${(error as Error).message}`, { code: "commander.invalidArgument" });
      }
    });

  program.addHelpText(
    "after",
    () => `\nOptions of "harness run" (the default command):\n${run.helpInformation()}`,
  );

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === "commander.helpDisplayed" ||
      code === "commander.version" ||
      code === "commander.help"
    )
      return undefined;
    throw new UsageError((error as Error).message);
  }
  return command;
}

/** Builds the run command from parsed flags (command line, then `HARNESS_*` variables). */
function buildCommand(
  paths: string[],
  flags: Record<string, unknown>,
  env: Record<string, string>,
): RunCommand {
  const rates = parseRates((flags.rate as string[] | undefined) ?? []);
  const stages = flags.stage as Stage[] | undefined;
  if (stages && flags.iterations !== undefined) {
    throw new InvalidArgumentError(
      "--stage and --iterations cannot be combined: stages set a length, iterations a count",
    );
  }
  return {
    paths: paths.length > 0 ? paths : ["scenarios"],
    defaultPaths: paths.length === 0,
    overrides: {
      durationMs: flags.duration as number | undefined,
      players: flags.players as number | undefined,
      iterations: flags.iterations as number | undefined,
      stages,
      ...rates,
    },
    env: parseEnv((flags.env as string[] | undefined) ?? []),
    address: parseAddress(flags.address as string),
    token: (flags.token as string | undefined) || undefined,
    target: (flags.target as boolean | undefined) ?? paths.length === 0,
    quiet: Boolean(flags.quiet),
    color: flags.color !== false && env.NO_COLOR === undefined,
    linger: Boolean(flags.linger),
    outputs: (flags.out as RunCommand["outputs"] | undefined) ?? [],
    summaryExport: (flags.summaryExport as string | undefined) || undefined,
    summaryTrendStats: flags.summaryTrendStats as string[],
    summary: flags.summary !== false,
    paused: Boolean(flags.paused),
    reportPath: (flags.report as string | undefined) || undefined,
    watch: Boolean(flags.watch),
    maxRatePerSec: flags.maxRate as number,
  };
}
