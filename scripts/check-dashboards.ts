// Proves the Grafana dashboards against a real Prometheus. It starts Prometheus with the
// shipped dashboards/prometheus.yml, pointed at a free port, and runs the harness on the
// scenarios of test/fixtures/dashboard-check, which provoke drops, failures, timeouts and
// cancellations. Then it evaluates every panel query of dashboards/*.json over the run and
// fails on a query with no data, an impossible value, or a flat zero where the run provoked
// what the panel shows. `promtool check metrics` checks a scrape of /metrics on every runtime.
//
// Usage: scripts/check-dashboards (installs Prometheus first), or directly
//   node bin/run-ts.mjs scripts/check-dashboards.ts [--duration 60s]
// Exit code 0 when every check passes, 1 otherwise.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allViewSeries, type ViewSeries } from "../src/metrics/views.ts";
import {
  checkQueryResult,
  checkStartedCountNotAboveAttempted,
  checkStartedNotAboveAttempted,
  EXPECTATIONS,
  type QueryResult,
} from "./dashboard-expectations.ts";

const root = new URL("..", import.meta.url).pathname;
const SCENARIO_FOLDER = "test/fixtures/dashboard-check";
const SHIPPED_TARGET = '"127.0.0.1:6565"';
/** Scrapes taken after the run ends, so the last rate() windows see the final counts. */
const LINGER_MS = 7000;

interface Panel {
  dashboard: string;
  title: string;
  expr: string;
  series: ViewSeries;
}

function durationArgument(): string {
  const index = process.argv.indexOf("--duration");
  return index === -1 ? "60s" : process.argv[index + 1]!;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` every 250 ms until it returns true. Throws after `timeoutMs`, or as soon as
 * `failure` returns a reason, such as a process that exited.
 */
async function waitFor(
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
  failure: () => string | undefined = () => undefined,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    const reason = failure();
    if (reason) throw new Error(`${reason} while waiting for ${what}`);
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Reads every panel query of the committed dashboards, matched to its view series. */
async function readPanels(): Promise<Panel[]> {
  const byExpr = new Map(allViewSeries().map((series) => [series.expr, series]));
  const folder = join(root, "dashboards");
  const panels: Panel[] = [];
  for (const file of (await readdir(folder)).filter((name) => name.endsWith(".json")).sort()) {
    const dashboard = JSON.parse(await readFile(join(folder, file), "utf8")) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const series = byExpr.get(target.expr);
        if (!series)
          throw new Error(`${file} "${panel.title}": query not in views.ts: ${target.expr}`);
        panels.push({ dashboard: file, title: panel.title, expr: target.expr, series });
      }
    }
  }
  return panels;
}

async function writePrometheusConfig(folder: string, harnessPort: number): Promise<string> {
  const shipped = await readFile(join(root, "dashboards/prometheus.yml"), "utf8");
  if (shipped.split(SHIPPED_TARGET).length !== 2) {
    throw new Error(`dashboards/prometheus.yml must name the target ${SHIPPED_TARGET} once`);
  }
  const path = join(folder, "prometheus.yml");
  await writeFile(path, shipped.replace(SHIPPED_TARGET, `"127.0.0.1:${harnessPort}"`));
  return path;
}

/** Starts a child process whose output is kept in `log` for the failure report. */
function start(command: string, args: string[], log: string[]): ChildProcess {
  const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => log.push(String(chunk)));
  child.stderr!.on("data", (chunk) => log.push(String(chunk)));
  return child;
}

function exitReason(name: string, child: ChildProcess): () => string | undefined {
  return () =>
    child.exitCode === null && child.signalCode === null
      ? undefined
      : `${name} exited (code ${child.exitCode}, signal ${child.signalCode})`;
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill("SIGTERM");
  });
}

/** Runs `promtool check metrics` on `text`; returns the problems it lists. */
async function promtoolCheckMetrics(text: string): Promise<string[]> {
  const checker = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  checker.stdout.on("data", (chunk) => (output += chunk));
  checker.stderr.on("data", (chunk) => (output += chunk));
  checker.stdin.end(text);
  const code = await new Promise<number | null>((resolve) => checker.once("exit", resolve));
  const problems = output.split("\n").filter((line) => line.trim() !== "");
  if (code !== 0 && problems.length === 0) problems.push(`promtool exited with code ${code}`);
  return problems;
}

/** Harness commands of the other runtimes, whose /metrics promtool also checks. */
const OTHER_RUNTIMES: Array<{ name: string; command: string[] }> = [
  { name: "bun", command: [join(root, "node_modules/.bin/bun"), "bin/harness.mjs"] },
  { name: "deno", command: [join(root, "node_modules/.bin/deno"), "run", "-A", "bin/harness.mjs"] },
];

/** Runs a 3 s harness on another runtime and checks its last scrape with promtool. */
async function checkMetricsOn(runtime: (typeof OTHER_RUNTIMES)[number]): Promise<string[]> {
  const port = await freePort();
  const log: string[] = [];
  const [command, ...args] = runtime.command;
  const harness = start(
    command!,
    [...args, "run", SCENARIO_FOLDER, "--target", "--linger", "--quiet", "--no-color"].concat([
      "-d",
      "3s",
      "--address",
      `127.0.0.1:${port}`,
    ]),
    log,
  );
  try {
    await waitFor(
      `the end of the ${runtime.name} run`,
      60_000,
      async () => log.join("").includes("--linger keeps the server up"),
      exitReason(`the ${runtime.name} harness`, harness),
    );
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    if (!text.includes("harness_scenario_started_total{")) {
      return [`${runtime.name}: /metrics has no scenario series`];
    }
    return (await promtoolCheckMetrics(text)).map((problem) => `${runtime.name}: ${problem}`);
  } finally {
    await stop(harness);
  }
}

class PrometheusApi {
  constructor(readonly base: string) {}

  async get<T>(path: string, params: Record<string, string | number>): Promise<T> {
    const query = new URLSearchParams(
      Object.entries(params).map(([key, value]) => [key, String(value)]),
    );
    const response = await fetch(`${this.base}${path}?${query}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`Prometheus ${path} failed: ${body.error}`);
    return body.data;
  }

  async targetIsUp(): Promise<boolean> {
    const data = await this.get<{ activeTargets: Array<{ health: string }> }>(
      "/api/v1/targets",
      {},
    );
    return data.activeTargets.some((target) => target.health === "up");
  }

  async range(expr: string, startSec: number, endSec: number): Promise<QueryResult["series"]> {
    const data = await this.get<{
      result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
    }>("/api/v1/query_range", { query: expr, start: startSec, end: endSec, step: 1 });
    return data.result.map((item) => ({
      labels: item.metric,
      values: item.values.map(([, value]) => Number(value)),
    }));
  }
}

async function evaluatePanels(
  api: PrometheusApi,
  panels: Panel[],
  scenarios: string[],
  window: { startSec: number; endSec: number },
): Promise<QueryResult[]> {
  const results: QueryResult[] = [];
  for (const panel of panels) {
    const values = panel.expr.includes("$scenario") ? scenarios : [undefined];
    for (const scenario of values) {
      const expr =
        scenario === undefined ? panel.expr : panel.expr.replaceAll("$scenario", scenario);
      const series = await api.range(expr, window.startSec, window.endSec);
      results.push({
        ...panel,
        id: panel.series.id,
        kind: panel.series.kind,
        scenario,
        expr,
        series,
      });
    }
  }
  return results;
}

function summarize(result: QueryResult): string {
  const finite = result.series.flatMap((series) => series.values.filter(Number.isFinite));
  const range = finite.length
    ? `min ${Math.min(...finite).toPrecision(3)} max ${Math.max(...finite).toPrecision(3)}`
    : "no data";
  const scope = result.scenario === undefined ? "" : ` [${result.scenario}]`;
  return `${result.title} (${result.id}): ${result.series.length} series, ${finite.length} points, ${range}${scope}`;
}

async function main(): Promise<number> {
  const folder = await mkdtemp(join(tmpdir(), "check-dashboards-"));
  const children: ChildProcess[] = [];
  const prometheusLog: string[] = [];
  const harnessLog: string[] = [];
  const failures: string[] = [];
  try {
    const panels = await readPanels();
    const [harnessPort, prometheusPort] = [await freePort(), await freePort()];
    const config = await writePrometheusConfig(folder, harnessPort);
    const prometheus = start(
      "prometheus",
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(folder, "data")}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        "--log.level=warn",
      ],
      prometheusLog,
    );
    children.push(prometheus);
    const api = new PrometheusApi(`http://127.0.0.1:${prometheusPort}`);
    const prometheusExited = exitReason("prometheus", prometheus);
    await waitFor(
      "Prometheus to be ready",
      30_000,
      async () => (await fetch(`${api.base}/-/ready`)).ok,
      prometheusExited,
    );

    const startSec = Date.now() / 1000 - 2;
    const harness = start(
      process.execPath,
      [
        "bin/harness.mjs",
        "run",
        SCENARIO_FOLDER,
        "--target",
        "--linger",
        "--quiet",
        "--no-color",
        "-d",
        durationArgument(),
        "--address",
        `127.0.0.1:${harnessPort}`,
      ],
      harnessLog,
    );
    children.push(harness);
    const metricsUrl = `http://127.0.0.1:${harnessPort}/metrics`;
    const harnessExited = exitReason("the harness", harness);
    await waitFor(
      "the harness to serve /metrics",
      30_000,
      async () => (await fetch(metricsUrl)).ok,
      harnessExited,
    );
    await waitFor(
      "Prometheus to scrape the harness",
      30_000,
      () => api.targetIsUp(),
      prometheusExited,
    );

    await sleep(5000);
    const nodeProblems = await promtoolCheckMetrics(await (await fetch(metricsUrl)).text());
    console.log(`${nodeProblems.length === 0 ? "ok  " : "FAIL"} promtool check metrics on node`);
    failures.push(...nodeProblems.map((problem) => `promtool check metrics: node: ${problem}`));

    await waitFor(
      "the end of the run",
      180_000,
      async () => harnessLog.join("").includes("--linger keeps the server up"),
      harnessExited,
    );
    await sleep(LINGER_MS);
    const scenarios = (await readdir(join(root, SCENARIO_FOLDER)))
      .filter((name) => name.endsWith(".ts"))
      .map((name) => name.slice(0, -3))
      .sort();
    const window = { startSec, endSec: Date.now() / 1000 };
    const results = await evaluatePanels(api, panels, scenarios, window);
    for (const result of results) {
      const problems = checkQueryResult(result);
      console.log(
        `${problems.length === 0 ? "ok  " : "FAIL"} ${result.dashboard} ${summarize(result)}`,
      );
      failures.push(...problems);
    }
    failures.push(...checkStartedNotAboveAttempted(results));
    const difference = "harness_scenario_started_total - harness_scenario_attempted_total";
    const differences = await api.range(difference, window.startSec, window.endSec);
    const countProblems = checkStartedCountNotAboveAttempted(differences);
    console.log(`${countProblems.length === 0 ? "ok  " : "FAIL"} started <= attempted counts`);
    failures.push(...countProblems);
    for (const expectation of EXPECTATIONS) {
      const problem = expectation.check(results);
      console.log(`${problem ? "FAIL" : "ok  "} moves: ${expectation.what}`);
      if (problem) failures.push(problem);
    }

    const harnessExit = await stop(harness);
    if (harnessExit !== 0) failures.push(`the harness exited with code ${harnessExit}`);
    for (const runtime of OTHER_RUNTIMES) {
      const problems = await checkMetricsOn(runtime);
      console.log(
        `${problems.length === 0 ? "ok  " : "FAIL"} promtool check metrics on ${runtime.name}`,
      );
      failures.push(...problems.map((problem) => `promtool check metrics: ${problem}`));
    }
  } catch (error) {
    failures.push((error as Error).message);
  } finally {
    await Promise.all(children.map(stop));
    await rm(folder, { recursive: true, force: true });
  }

  if (failures.length > 0) {
    console.error(`\ncheck-dashboards: ${failures.length} problem(s)`);
    for (const failure of failures) console.error(`  - ${failure}`);
    console.error(`\nharness output (last lines):\n${harnessLog.join("").slice(-3000)}`);
    console.error(`prometheus output (last lines):\n${prometheusLog.join("").slice(-2000)}`);
    return 1;
  }
  console.log("\ncheck-dashboards: every panel query returned data and moved where provoked");
  return 0;
}

process.exit(await main());
