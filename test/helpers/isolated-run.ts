import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, realpath, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/** Names with a space and non-ASCII letters, so that no step can rely on plain paths. */
export const TOOL_FOLDER = "outils à tester";
export const SCENARIO_FOLDER = "szenarien für Tests";
/** The npm package that the scenarios import from the node_modules folder next to them. */
export const LOCAL_PACKAGE = "greeting-words";

/** How long one isolated harness run may take before the test kills it. */
const RUN_TIMEOUT_MS = 90_000;
const METRICS_LINE = /metrics and status on (http:\/\/127\.0\.0\.1:\d+)/;

/** What an isolated run printed and served. */
export interface IsolatedRunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  metricsUrl: string | undefined;
  /** The last `/metrics` body scraped while the run was going, or undefined. */
  metrics: string | undefined;
  /** The dashboard page (`GET /`) and its series (`GET /v1/series`), once scenarios started. */
  dashboard?: { page: string; series: string };
}

/**
 * A fresh temporary folder with a space and non-ASCII letters in its name, holding the
 * empty `home` folder that runs get as HOME.
 */
export async function createWorkFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "edge-harness build ü "));
  await mkdir(join(folder, "home"));
  return folder;
}

/**
 * Copies `artifact` into `TOOL_FOLDER` of `workDir` and returns the copy's path. The run
 * bit comes along, because copyFile keeps the mode.
 */
export async function copyArtifact(artifact: string, workDir: string): Promise<string> {
  const folder = join(workDir, TOOL_FOLDER);
  await mkdir(folder, { recursive: true });
  const copy = join(folder, basename(artifact));
  await copyFile(artifact, copy);
  return copy;
}

/**
 * Makes the folder that is the whole PATH of a run: it holds `binaries` as symbolic links
 * under their given names, and nothing else.
 */
export async function createPathFolder(
  workDir: string,
  binaries: Record<string, string>,
): Promise<string> {
  const folder = join(workDir, "runtime");
  await mkdir(folder, { recursive: true });
  for (const [name, binary] of Object.entries(binaries)) {
    await symlink(await realpath(binary), join(folder, name));
  }
  return folder;
}

/**
 * Writes the scenarios folder: a TypeScript scenario that imports a `.ts` helper (as
 * `./lib/status-words.js`, the TypeScript convention) and the local npm package, an ES
 * module scenario with top-level await that imports the package dynamically, and the
 * package itself in `node_modules`, as `npm install` leaves it.
 */
export async function writeScenarios(workDir: string, durationSeconds: number): Promise<string> {
  const folder = join(workDir, SCENARIO_FOLDER);
  const packageDir = join(folder, "node_modules", LOCAL_PACKAGE);
  await mkdir(join(folder, "lib"), { recursive: true });
  await mkdir(packageDir, { recursive: true });
  await writeFile(
    join(folder, "package.json"),
    JSON.stringify({ private: true, dependencies: { [LOCAL_PACKAGE]: "1.0.0" } }),
  );
  await writeFile(
    join(packageDir, "package.json"),
    JSON.stringify({ name: LOCAL_PACKAGE, version: "1.0.0", main: "index.js" }),
  );
  await writeFile(join(packageDir, "index.js"), 'exports.greet = (name) => "hello " + name;\n');
  await writeFile(join(folder, "lib", "status-words.ts"), STATUS_WORDS_TS);
  await writeFile(join(folder, "typed-get.ts"), typedGetScenario(durationSeconds));
  await writeFile(join(folder, "plain-post.mjs"), plainPostScenario(durationSeconds));
  return folder;
}

const STATUS_WORDS_TS = `export enum StatusClass {
  Success = 2,
  ClientError = 4,
}

export function statusClass(status: number): StatusClass {
  return Math.floor(status / 100) as StatusClass;
}
`;

function typedGetScenario(durationSeconds: number): string {
  return `import { greet } from "${LOCAL_PACKAGE}";
import { StatusClass, statusClass } from "./lib/status-words.js";

interface Response {
  status: number;
}

interface Context {
  env: Record<string, string>;
  http: { get(url: string): Promise<Response> };
  check(value: Response, checks: Record<string, (value: Response) => boolean>): boolean;
}

export const options = {
  executor: "constant-arrival-rate",
  rate: 10,
  duration: "${durationSeconds}s",
  maxPlayers: 10,
};

export default async function (ctx: Context): Promise<void> {
  const response = await ctx.http.get(\`\${ctx.env.TARGET_URL}/fast\`);
  ctx.check(response, {
    [greet("typed")]: (r) => statusClass(r.status) === StatusClass.Success,
  });
}
`;
}

function plainPostScenario(durationSeconds: number): string {
  return `const { greet } = await import("${LOCAL_PACKAGE}");
const checkName = greet("plain");

export const options = {
  executor: "constant-players",
  players: 1,
  duration: "${durationSeconds}s",
};

export default async function (ctx) {
  const response = await ctx.fetch(\`\${ctx.env.TARGET_URL}/api/items\`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "from-mjs" }),
  });
  ctx.check(response, { [checkName]: (r) => r.status === 201 });
  await ctx.sleep(100);
}
`;
}

/**
 * Runs `command` with `args` in `workDir`, with `pathFolder` as the whole PATH and a
 * home folder inside `workDir`. While it runs, scrapes the `/metrics` address that the
 * harness prints on stderr until every name in `scenarios` has started an iteration.
 */
export function runIsolated(
  command: string,
  args: string[],
  workDir: string,
  pathFolder: string,
  scenarios: string[],
): Promise<IsolatedRunResult> {
  const child = spawn(command, args, {
    cwd: workDir,
    env: {
      PATH: pathFolder,
      HOME: join(workDir, "home"),
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result: IsolatedRunResult = {
    exitCode: null,
    signal: null,
    stdout: "",
    stderr: "",
    metricsUrl: undefined,
    metrics: undefined,
  };
  let exited = false;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (result.stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    result.stderr += chunk;
    const match = METRICS_LINE.exec(result.stderr);
    if (match && result.metricsUrl === undefined) {
      result.metricsUrl = match[1];
      void scrapeUntilStarted(`${match[1]}/metrics`, scenarios, result, () => exited);
    }
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} did not exit within ${RUN_TIMEOUT_MS} ms:\n${result.stderr}`));
    }, RUN_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      exited = true;
      clearTimeout(timer);
      result.exitCode = code;
      result.signal = signal;
      resolve(result);
    });
  });
}

/** Scrapes every 200 ms until each scenario has a started count, or the run exits. */
async function scrapeUntilStarted(
  url: string,
  scenarios: string[],
  result: IsolatedRunResult,
  hasExited: () => boolean,
): Promise<void> {
  while (!hasExited()) {
    try {
      const response = await fetch(url);
      result.metrics = await response.text();
      if (scenarios.every((name) => startedCount(result.metrics!, name) > 0)) {
        const base = url.replace(/\/metrics$/, "");
        const page = await (await fetch(`${base}/`)).text();
        const series = await (await fetch(`${base}/v1/series`)).text();
        result.dashboard = { page, series };
        return;
      }
    } catch {
      // The server may close between the exit check and the request; the caller asserts.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The value of `harness_scenario_started_total` for `scenario` in a scrape, or 0. */
export function startedCount(metrics: string, scenario: string): number {
  const line = metrics
    .split("\n")
    .find((text) => text.startsWith(`harness_scenario_started_total{scenario="${scenario}"`));
  return line ? Number(line.split(" ").pop()) : 0;
}
