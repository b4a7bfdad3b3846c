import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCommandLine, UsageError, type RunCommand } from "../src/cli/args.ts";
import { parseFileOptions, type ScenarioConfig } from "../src/core/options.ts";
import { applyOverrides } from "../src/core/overrides.ts";

const silent = { out: () => {}, err: () => {} };

async function commandFor(argv: string[], env: Record<string, string> = {}): Promise<RunCommand> {
  const command = await parseCommandLine(["run", "scenarios", ...argv], env, silent);
  assert.ok(command, "parseCommandLine returned no command");
  return command;
}

/** The scenario config after the script's options, then variables and flags. */
async function effectiveConfig(
  scriptOptions: Record<string, unknown>,
  argv: string[],
  env: Record<string, string>,
): Promise<ScenarioConfig> {
  const config = parseFileOptions("/virtual/s.ts", scriptOptions).scenarios[0]!.config;
  applyOverrides("s", config, (await commandFor(argv, env)).overrides);
  return config;
}

const cases: Array<{
  name: string;
  script: Record<string, unknown>;
  env: Record<string, string>;
  argv: string[];
  expected: Partial<ScenarioConfig>;
}> = [
  {
    name: "defaults apply without options",
    script: {},
    env: {},
    argv: [],
    expected: { executor: "constant-arrival-rate", rate: 10, durationMs: 15_000 },
  },
  {
    name: "script options win over defaults",
    script: { rate: 5, duration: "20s" },
    env: {},
    argv: [],
    expected: { rate: 5, durationMs: 20_000 },
  },
  {
    name: "variables win over script options",
    script: { rate: 5, duration: "20s" },
    env: { HARNESS_DURATION: "30s", HARNESS_RATE: "7" },
    argv: [],
    expected: { rate: 7, durationMs: 30_000 },
  },
  {
    name: "flags win over variables",
    script: { rate: 5, duration: "20s" },
    env: { HARNESS_DURATION: "30s", HARNESS_RATE: "7" },
    argv: ["-d", "40s", "--rate", "9"],
    expected: { rate: 9, durationMs: 40_000 },
  },
  {
    name: "a flag leaves other variables in force",
    script: { players: 2, duration: "20s" },
    env: { HARNESS_DURATION: "30s", HARNESS_PLAYERS: "4" },
    argv: ["-u", "6"],
    expected: { executor: "constant-players", players: 6, durationMs: 30_000 },
  },
  {
    name: "iterations variable makes shared-iterations",
    script: { players: 2 },
    env: { HARNESS_ITERATIONS: "50" },
    argv: [],
    expected: { executor: "shared-iterations", iterations: 50, players: 2 },
  },
  {
    name: "stages variable ramps a closed-model scenario",
    script: { players: 3 },
    env: { HARNESS_STAGES: "10s:5, 20s:0" },
    argv: [],
    expected: {
      executor: "ramping-players",
      stages: [
        { durationMs: 10_000, target: 5 },
        { durationMs: 20_000, target: 0 },
      ],
    },
  },
  {
    name: "stage flags win over the stages variable",
    script: { rate: 3 },
    env: { HARNESS_STAGES: "10s:5" },
    argv: ["-s", "5s:50", "--stage", "5s:0"],
    expected: {
      executor: "ramping-arrival-rate",
      stages: [
        { durationMs: 5000, target: 50 },
        { durationMs: 5000, target: 0 },
      ],
    },
  },
  {
    name: "a named rate wins for its scenario",
    script: { rate: 3 },
    env: { HARNESS_RATE: "s=11,4" },
    argv: [],
    expected: { rate: 11 },
  },
];

for (const { name, script, env, argv, expected } of cases) {
  test(`precedence: ${name}`, async () => {
    const config = await effectiveConfig(script, argv, env);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(config[key as keyof ScenarioConfig], value, key);
    }
  });
}

const commandCases: Array<{
  name: string;
  env: Record<string, string>;
  argv: string[];
  expected: Partial<RunCommand>;
}> = [
  { name: "defaults", env: {}, argv: [], expected: { summary: true, quiet: false, paused: false } },
  {
    name: "variables set switches",
    env: { HARNESS_NO_SUMMARY: "true", HARNESS_QUIET: "1", HARNESS_PAUSED: "true" },
    argv: [],
    expected: { summary: false, quiet: true, paused: true },
  },
  {
    name: "false variables keep defaults",
    env: { HARNESS_NO_SUMMARY: "false", HARNESS_LINGER: "0" },
    argv: [],
    expected: { summary: true, linger: false },
  },
  {
    name: "flags win over variables",
    env: { HARNESS_SUMMARY_EXPORT: "from-env.json", HARNESS_ADDRESS: "127.0.0.1:7000" },
    argv: ["--summary-export", "from-flag.json", "--address", ":0"],
    expected: { summaryExport: "from-flag.json", address: { hostname: "127.0.0.1", port: 0 } },
  },
  {
    name: "outputs and trend stats from variables",
    env: { HARNESS_OUT: "json=a.jsonl,json=b.jsonl", HARNESS_SUMMARY_TREND_STATS: "avg,p(99)" },
    argv: [],
    expected: {
      outputs: [
        { type: "json", path: "a.jsonl" },
        { type: "json", path: "b.jsonl" },
      ],
      summaryTrendStats: ["avg", "p(99)"],
    },
  },
  {
    name: "NO_COLOR turns color off",
    env: { NO_COLOR: "1" },
    argv: [],
    expected: { color: false },
  },
];

for (const { name, env, argv, expected } of commandCases) {
  test(`command options: ${name}`, async () => {
    const command = await commandFor(argv, env);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(command[key as keyof RunCommand], value, key);
    }
  });
}

const invalid: Array<{ env: Record<string, string>; argv: string[]; message: RegExp }> = [
  { env: { HARNESS_DURATION: "soon" }, argv: [], message: /invalid HARNESS_DURATION/ },
  { env: { HARNESS_PLAYERS: "0" }, argv: [], message: /invalid HARNESS_PLAYERS/ },
  { env: { HARNESS_QUIET: "maybe" }, argv: [], message: /invalid HARNESS_QUIET="maybe"/ },
  { env: { HARNESS_STAGES: "10s" }, argv: [], message: /invalid stage "10s"/ },
  { env: {}, argv: ["--out", "csv=x.csv"], message: /invalid output "csv=x\.csv"/ },
  { env: {}, argv: ["--summary-trend-stats", "avg,p95"], message: /invalid trend statistic "p95"/ },
  { env: {}, argv: ["-s", "10s:5", "-i", "3"], message: /--stage and --iterations/ },
];

for (const { env, argv, message } of invalid) {
  test(`command rejects ${JSON.stringify({ ...env, argv })}`, async () => {
    const errors: string[] = [];
    await assert.rejects(
      parseCommandLine(["run", "scenarios", ...argv], env, {
        out: () => {},
        err: (text) => void errors.push(text),
      }),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, message);
        return true;
      },
    );
    assert.match(errors.join(""), message, "the problem is printed too");
  });
}

test("help lists every flag with its default", async () => {
  let help = "";
  const command = await parseCommandLine(
    ["run", "--help"],
    {},
    {
      out: (text) => void (help += text),
      err: (text) => void (help += text),
    },
  );
  assert.equal(command, undefined);
  for (const flag of [
    "--duration",
    "--players",
    "--iterations",
    "--stage",
    "--rate",
    "--env",
    "--out",
    "--summary-export",
    "--summary-trend-stats",
    "--no-summary",
    "--quiet",
    "--no-color",
    "--address",
    "--paused",
    "--linger",
  ]) {
    assert.match(help, new RegExp(`${flag}\\b`), flag);
  }
  assert.match(help, /default:\s+"127\.0\.0\.1:6565"/);
  assert.match(help, /default:\s+avg,min,med,p\(90\),p\(95\),p\(99\),max/);
  assert.match(help, /HARNESS_/);
});
