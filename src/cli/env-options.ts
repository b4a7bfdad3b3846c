import { InvalidArgumentError, type Command, type Option } from "commander";

/** A flag that a `HARNESS_*` environment variable can also set, as k6's `K6_*` variables do. */
export interface EnvOption {
  /** Commander's attribute name of the flag (`duration`, `summaryExport`). */
  key: string;
  variable: string;
  /** `list` splits the value at commas, as repeating the flag would; `negated` sets a `--no-` flag. */
  kind: "value" | "list" | "boolean" | "negated";
}

/** Every flag with a variable; a flag on the command line wins over its variable. */
export const ENV_OPTIONS: readonly EnvOption[] = [
  { key: "duration", variable: "HARNESS_DURATION", kind: "value" },
  { key: "players", variable: "HARNESS_PLAYERS", kind: "value" },
  { key: "iterations", variable: "HARNESS_ITERATIONS", kind: "value" },
  { key: "stage", variable: "HARNESS_STAGES", kind: "list" },
  { key: "rate", variable: "HARNESS_RATE", kind: "list" },
  { key: "out", variable: "HARNESS_OUT", kind: "list" },
  { key: "summaryExport", variable: "HARNESS_SUMMARY_EXPORT", kind: "value" },
  { key: "summaryTrendStats", variable: "HARNESS_SUMMARY_TREND_STATS", kind: "value" },
  { key: "summary", variable: "HARNESS_NO_SUMMARY", kind: "negated" },
  { key: "quiet", variable: "HARNESS_QUIET", kind: "boolean" },
  { key: "address", variable: "HARNESS_ADDRESS", kind: "value" },
  { key: "paused", variable: "HARNESS_PAUSED", kind: "boolean" },
  { key: "linger", variable: "HARNESS_LINGER", kind: "boolean" },
];

function parseBoolean(variable: string, text: string): boolean {
  const value = text.trim().toLowerCase();
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0" || value === "") return false;
  throw new InvalidArgumentError(`invalid ${variable}="${text}": use true, false, 1 or 0`);
}

function parseWith(option: Option | undefined, variable: string, text: string, previous: unknown) {
  if (!option?.parseArg) return text;
  try {
    return option.parseArg(text, previous);
  } catch (error) {
    throw new InvalidArgumentError(`invalid ${variable}: ${(error as Error).message}`);
  }
}

/**
 * Fills `flags` from `env` for every flag not given on the command line, so precedence is
 * defaults, then the script's options, then `HARNESS_*` variables, then flags.
 *
 * @throws {InvalidArgumentError} naming the variable whose value is invalid.
 */
export function applyEnvironment(
  command: Command,
  flags: Record<string, unknown>,
  env: Record<string, string>,
): void {
  for (const { key, variable, kind } of ENV_OPTIONS) {
    const text = env[variable];
    if (text === undefined || command.getOptionValueSource(key) === "cli") continue;
    const option = command.options.find((candidate) => candidate.attributeName() === key);
    if (kind === "boolean") flags[key] = parseBoolean(variable, text);
    else if (kind === "negated") flags[key] = !parseBoolean(variable, text);
    else if (kind === "list") {
      let value: unknown = [];
      for (const part of text.split(",").map((entry) => entry.trim())) {
        if (part !== "") value = parseWith(option, variable, part, value);
      }
      flags[key] = value;
    } else flags[key] = parseWith(option, variable, text, undefined);
  }
}
