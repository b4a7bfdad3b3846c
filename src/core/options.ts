import { parseDurationMs } from "./duration.ts";
import { parseThresholds, type ThresholdSpec } from "./thresholds.ts";

export const EXECUTORS = [
  "constant-arrival-rate",
  "ramping-arrival-rate",
  "constant-players",
  "ramping-players",
  "shared-iterations",
  "per-player-iterations",
  "externally-controlled",
] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

/**
 * Most players one scenario may ask for. Each player is a loop or a pending iteration of
 * this one process, so more than this belongs on several instances.
 */
export const MAX_PLAYERS = 100_000;

export const OPEN_MODEL_EXECUTORS: ReadonlySet<ExecutorName> = new Set([
  "constant-arrival-rate",
  "ramping-arrival-rate",
  "externally-controlled",
]);

/** One stage of a ramping executor: reach `target` (players, or arrivals per time unit) linearly. */
export interface Stage {
  durationMs: number;
  target: number;
}

/** A scenario's schedule after validation and defaults. Every quantity carries its unit. */
export interface ScenarioConfig {
  executor: ExecutorName;
  /** Arrivals per `timeUnitMs` for arrival-rate executors (default 10 per second). */
  rate: number;
  /** Time unit of `rate`, `startRate` and arrival-rate stage targets (default 1 s). */
  timeUnitMs: number;
  /** Length of constant executors, and the ceiling of externally-controlled ones (default 15 s). */
  durationMs: number;
  stages: Stage[];
  startRate: number;
  startPlayers: number;
  /** Players of closed-model executors (default 1). */
  players: number;
  /** Iterations of the iteration-count executors (default 1). */
  iterations: number;
  /** Players the pool creates before the start of an arrival-rate scenario (default 10). */
  preAllocatedPlayers: number;
  /** Most players an arrival-rate scenario may use (default 100). */
  maxPlayers: number;
  /**
   * Arrivals that may wait for a free player instead of being dropped (default 0: drop at
   * once, as k6 does). Waiting arrivals start late, and their start lag and latency from the
   * planned start show the queueing that a closed loop would hide.
   */
  maxQueuedArrivals: number;
  /** Maximum run time of the iteration-count executors (default 10 min). */
  maxDurationMs: number;
  /** Delay from the start of the run before the scenario starts (default 0). */
  startTimeMs: number;
  /** Time given to running iterations once the scenario stops (default 30 s). */
  gracefulStopMs: number;
  /** Time given to iterations of players removed by a ramp-down (default 30 s). */
  gracefulRampDownMs: number;
  /** Iteration timeout; an iteration that outlives it fails with the reason `timeout` (default none). */
  iterationTimeoutMs: number | undefined;
  tags: Record<string, string>;
  env: Record<string, string>;
  /** Name of the export that runs one iteration (default `default`). */
  exec: string;
}

/** HTTP behaviour of `ctx.http` and `ctx.fetch` for one file. */
export interface HttpConfig {
  /** Maximum connections per origin kept by `ctx.http` (default 100). */
  maxConnectionsPerOrigin: number;
  discardResponseBodies: boolean;
  insecureSkipTLSVerify: boolean;
  /** Default request timeout in milliseconds (default 60 s, as k6). */
  requestTimeoutMs: number;
  expectedStatuses: Array<{ min: number; max: number }>;
}

export interface FileOptions {
  scenarios: Array<{ key: string | undefined; config: ScenarioConfig }>;
  http: HttpConfig;
  thresholds: ThresholdSpec[];
}

export interface OptionProblem {
  /** Option path, for example `scenarios.checkout.stages[1].target`. */
  path: string;
  message: string;
}

/** Every problem found in one file's `options`, reported together. */
export class OptionsError extends Error {
  override name = "OptionsError";
  constructor(
    readonly file: string,
    readonly problems: OptionProblem[],
  ) {
    super(
      `invalid options in ${file}:\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
    );
  }
}

const SCENARIO_KEYS = new Set([
  "executor",
  "rate",
  "timeUnit",
  "duration",
  "stages",
  "startRate",
  "startPlayers",
  "players",
  "iterations",
  "preAllocatedPlayers",
  "maxPlayers",
  "maxQueuedArrivals",
  "maxDuration",
  "startTime",
  "gracefulStop",
  "gracefulRampDown",
  "timeout",
  "tags",
  "env",
  "exec",
]);
const FILE_KEYS = new Set([
  "scenarios",
  "thresholds",
  "discardResponseBodies",
  "insecureSkipTLSVerify",
  "maxConnectionsPerOrigin",
  "httpTimeout",
  "expectedStatuses",
]);
/** k6 names that users bring along, with the name to use here. */
const RENAMED_KEYS: Record<string, string> = {
  vus: "players",
  VUs: "players",
  preAllocatedVUs: "preAllocatedPlayers",
  maxVUs: "maxPlayers",
  startVUs: "startPlayers",
};
const SCENARIO_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Checks `options` of one file and applies defaults; throws `OptionsError` listing every problem. */
export function parseFileOptions(file: string, options: unknown): FileOptions {
  const problems: OptionProblem[] = [];
  const record = asRecord(options ?? {}, "options", problems) ?? {};
  const scenarioFields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (FILE_KEYS.has(key)) continue;
    if (SCENARIO_KEYS.has(key)) scenarioFields[key] = value;
    else problems.push(unknownKey("options", key));
  }

  const scenarios: FileOptions["scenarios"] = [];
  if (record.scenarios !== undefined) {
    const named = asRecord(record.scenarios, "options.scenarios", problems) ?? {};
    if (Object.keys(scenarioFields).length > 0) {
      problems.push({
        path: "options",
        message:
          `scenario fields (${Object.keys(scenarioFields).join(", ")}) next to options.scenarios; ` +
          "move them into each entry of options.scenarios",
      });
    }
    for (const [key, value] of Object.entries(named)) {
      const path = `options.scenarios.${key}`;
      if (!SCENARIO_KEY_PATTERN.test(key)) {
        problems.push({
          path,
          message: `invalid scenario key "${key}": use letters, digits, "-" and "_"`,
        });
      }
      const fields = asRecord(value, path, problems);
      if (fields) scenarios.push({ key, config: parseScenarioConfig(fields, path, problems) });
    }
    if (Object.keys(named).length === 0) {
      problems.push({
        path: "options.scenarios",
        message: "is empty; declare at least one scenario",
      });
    }
  } else {
    scenarios.push({
      key: undefined,
      config: parseScenarioConfig(scenarioFields, "options", problems),
    });
  }

  const http = parseHttpConfig(record, problems);
  const thresholds = parseThresholdMap(record.thresholds, problems);
  if (problems.length > 0) throw new OptionsError(file, problems);
  return { scenarios, http, thresholds };
}

/** Checks one scenario's fields, pushing every problem to `problems`. */
export function parseScenarioConfig(
  fields: Record<string, unknown>,
  path: string,
  problems: OptionProblem[],
): ScenarioConfig {
  for (const key of Object.keys(fields)) {
    if (!SCENARIO_KEYS.has(key)) problems.push(unknownKey(path, key));
  }
  const read = new FieldReader(fields, path, problems);
  const executor = read.executor(inferExecutor(fields));
  const config: ScenarioConfig = {
    executor,
    rate: read.number("rate", 10, { min: 0 }),
    timeUnitMs: read.duration("timeUnit", 1000, { min: 1 }),
    durationMs: read.duration("duration", 15_000, { min: 1 }),
    stages: read.stages(),
    startRate: read.number("startRate", 0, { min: 0 }),
    startPlayers: read.number("startPlayers", 1, { min: 0, max: MAX_PLAYERS, integer: true }),
    players: read.number("players", 1, { min: 1, max: MAX_PLAYERS, integer: true }),
    iterations: read.number("iterations", 1, { min: 1, integer: true }),
    preAllocatedPlayers: read.number("preAllocatedPlayers", 10, {
      min: 0,
      max: MAX_PLAYERS,
      integer: true,
    }),
    maxPlayers: read.number("maxPlayers", 100, { min: 1, max: MAX_PLAYERS, integer: true }),
    maxQueuedArrivals: read.number("maxQueuedArrivals", 0, { min: 0, integer: true }),
    maxDurationMs: read.duration("maxDuration", 600_000, { min: 1 }),
    startTimeMs: read.duration("startTime", 0, { min: 0 }),
    gracefulStopMs: read.duration("gracefulStop", 30_000, { min: 0 }),
    gracefulRampDownMs: read.duration("gracefulRampDown", 30_000, { min: 0 }),
    iterationTimeoutMs:
      fields.timeout === undefined ? undefined : read.duration("timeout", 0, { min: 1 }),
    tags: read.stringMap("tags"),
    env: read.stringMap("env"),
    exec: read.string("exec", "default"),
  };
  if (fields.maxPlayers === undefined && config.preAllocatedPlayers > config.maxPlayers) {
    config.maxPlayers = config.preAllocatedPlayers;
  }
  if (fields.preAllocatedPlayers === undefined && config.preAllocatedPlayers > config.maxPlayers) {
    config.preAllocatedPlayers = config.maxPlayers;
  }
  if (config.preAllocatedPlayers > config.maxPlayers) {
    problems.push({
      path: `${path}.preAllocatedPlayers`,
      message: `${config.preAllocatedPlayers} exceeds maxPlayers (${config.maxPlayers}); raise maxPlayers`,
    });
  }
  if (executor === "ramping-players") {
    config.stages.forEach((stage, index) => {
      if (stage.target > MAX_PLAYERS) {
        problems.push({
          path: `${path}.stages[${index}].target`,
          message: `${stage.target} players exceeds the maximum of ${MAX_PLAYERS}; spread the load over several instances`,
        });
      }
    });
  }
  if ((executor === "ramping-arrival-rate" || executor === "ramping-players") && !fields.stages) {
    problems.push({ path: `${path}.stages`, message: `is required by the ${executor} executor` });
  }
  if (executor === "ramping-players") {
    config.stages.forEach((stage, index) => {
      if (Number.isInteger(stage.target)) return;
      problems.push({
        path: `${path}.stages[${index}].target`,
        message: `must be a whole number of players, got ${stage.target}`,
      });
    });
  }
  return config;
}

function inferExecutor(fields: Record<string, unknown>): ExecutorName {
  if (fields.rate !== undefined) return "constant-arrival-rate";
  if (fields.iterations !== undefined) return "shared-iterations";
  if (fields.stages !== undefined) return "ramping-players";
  if (fields.players !== undefined) return "constant-players";
  return "constant-arrival-rate";
}

function parseHttpConfig(record: Record<string, unknown>, problems: OptionProblem[]): HttpConfig {
  const read = new FieldReader(record, "options", problems);
  return {
    maxConnectionsPerOrigin: read.number("maxConnectionsPerOrigin", 100, { min: 1, integer: true }),
    discardResponseBodies: read.boolean("discardResponseBodies", false),
    insecureSkipTLSVerify: read.boolean("insecureSkipTLSVerify", false),
    requestTimeoutMs: read.duration("httpTimeout", 60_000, { min: 1 }),
    expectedStatuses: read.statusRanges("expectedStatuses"),
  };
}

function parseThresholdMap(value: unknown, problems: OptionProblem[]): ThresholdSpec[] {
  if (value === undefined) return [];
  const record = asRecord(value, "options.thresholds", problems) ?? {};
  return parseThresholds(record, (path, message) => problems.push({ path, message }));
}

function unknownKey(path: string, key: string): OptionProblem {
  const renamed = RENAMED_KEYS[key];
  const hint = renamed ? `; this harness calls it "${renamed}"` : "; check its spelling";
  return { path: `${path}.${key}`, message: `unknown option${hint}` };
}

function asRecord(
  value: unknown,
  path: string,
  problems: OptionProblem[],
): Record<string, unknown> | undefined {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  problems.push({ path, message: `must be an object, got ${describe(value)}` });
  return undefined;
}

export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** Reads typed fields of one options object, recording a problem per bad field. */
class FieldReader {
  constructor(
    private readonly fields: Record<string, unknown>,
    private readonly path: string,
    private readonly problems: OptionProblem[],
  ) {}

  executor(fallback: ExecutorName): ExecutorName {
    const value = this.fields.executor;
    if (value === undefined) return fallback;
    if ((EXECUTORS as readonly unknown[]).includes(value)) return value as ExecutorName;
    this.fail(
      "executor",
      `unknown executor ${describe(value)}; use one of ${EXECUTORS.join(", ")}`,
    );
    return fallback;
  }

  number(
    key: string,
    fallback: number,
    rule: { min: number; max?: number; integer?: boolean },
  ): number {
    const value = this.fields[key];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.fail(key, `must be a finite number, got ${describe(value)}`);
      return fallback;
    }
    if (rule.integer && !Number.isInteger(value)) {
      this.fail(key, `must be an integer, got ${value}`);
      return fallback;
    }
    if (value < rule.min) {
      this.fail(key, `must be >= ${rule.min}, got ${value}`);
      return fallback;
    }
    if (rule.max !== undefined && value > rule.max) {
      this.fail(
        key,
        `must be <= ${rule.max}, got ${value}; spread a larger load over several instances`,
      );
      return fallback;
    }
    return value;
  }

  duration(key: string, fallbackMs: number, rule: { min: number }): number {
    const value = this.fields[key];
    if (value === undefined) return fallbackMs;
    return this.durationAt(`${key}`, value, fallbackMs, rule);
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.fields[key];
    if (value === undefined) return fallback;
    if (typeof value === "boolean") return value;
    this.fail(key, `must be true or false, got ${describe(value)}`);
    return fallback;
  }

  string(key: string, fallback: string): string {
    const value = this.fields[key];
    if (value === undefined) return fallback;
    if (typeof value === "string" && value.length > 0) return value;
    this.fail(key, `must be a non-empty string, got ${describe(value)}`);
    return fallback;
  }

  stringMap(key: string): Record<string, string> {
    const value = this.fields[key];
    if (value === undefined) return {};
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(key, `must be an object of strings, got ${describe(value)}`);
      return {};
    }
    const result: Record<string, string> = {};
    for (const [name, entry] of Object.entries(value)) {
      if (typeof entry === "string") result[name] = entry;
      else this.fail(`${key}.${name}`, `must be a string, got ${describe(entry)}`);
    }
    return result;
  }

  stages(): Stage[] {
    const value = this.fields.stages;
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(
        "stages",
        `must be a non-empty array of { duration, target }, got ${describe(value)}`,
      );
      return [];
    }
    return value.map((stage, index) => {
      const key = `stages[${index}]`;
      if (typeof stage !== "object" || stage === null) {
        this.fail(key, `must be an object { duration, target }, got ${describe(stage)}`);
        return { durationMs: 0, target: 0 };
      }
      const { duration, target } = stage as Record<string, unknown>;
      const durationMs = this.durationAt(`${key}.duration`, duration, 0, { min: 0 });
      if (typeof target !== "number" || !Number.isFinite(target) || target < 0) {
        this.fail(`${key}.target`, `must be a finite number >= 0, got ${describe(target)}`);
        return { durationMs, target: 0 };
      }
      return { durationMs, target };
    });
  }

  statusRanges(key: string): Array<{ min: number; max: number }> {
    const value = this.fields[key];
    if (value === undefined) return [{ min: 200, max: 399 }];
    if (!Array.isArray(value)) {
      this.fail(key, `must be an array of statuses or { min, max }, got ${describe(value)}`);
      return [{ min: 200, max: 399 }];
    }
    return parseStatusRanges(value, (index, message) => this.fail(`${key}[${index}]`, message));
  }

  private durationAt(
    key: string,
    value: unknown,
    fallbackMs: number,
    rule: { min: number },
  ): number {
    try {
      const durationMs = parseDurationMs(value);
      if (durationMs < rule.min) {
        this.fail(key, `must be at least ${rule.min} ms, got ${describe(value)}`);
        return fallbackMs;
      }
      return durationMs;
    } catch (error) {
      this.fail(key, (error as Error).message);
      return fallbackMs;
    }
  }

  private fail(key: string, message: string): void {
    this.problems.push({ path: `${this.path}.${key}`, message });
  }
}

/** Turns `[200, { min: 300, max: 399 }]` into ranges, reporting each bad entry by index. */
export function parseStatusRanges(
  entries: unknown[],
  fail: (index: number, message: string) => void,
): Array<{ min: number; max: number }> {
  const ranges: Array<{ min: number; max: number }> = [];
  entries.forEach((entry, index) => {
    if (Number.isInteger(entry) && (entry as number) >= 100 && (entry as number) <= 599) {
      ranges.push({ min: entry as number, max: entry as number });
      return;
    }
    const range = entry as { min?: unknown; max?: unknown } | null;
    if (
      typeof range === "object" &&
      range !== null &&
      Number.isInteger(range.min) &&
      Number.isInteger(range.max) &&
      (range.min as number) <= (range.max as number)
    ) {
      ranges.push({ min: range.min as number, max: range.max as number });
      return;
    }
    fail(index, `must be a status 100-599 or { min, max } with min <= max, got ${describe(entry)}`);
  });
  return ranges;
}
