// End-to-end tests of build.ts: builds once into a temporary folder with the runtime that
// runs this file, then runs each single-file build and native executable from an empty
// folder, with only its runtime on PATH, on scenarios written after the build.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, open, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findBunBinary, findNodeBinary } from "../scripts/build/executables.ts";
import { runtimeName } from "../src/runtime/detect.ts";
import { serve } from "../src/runtime/serve.ts";
import { createTargetApp } from "../src/target/app.ts";
import {
  copyArtifact,
  createPathFolder,
  createWorkFolder,
  runIsolated,
  SCENARIO_FOLDER,
  startedCount,
  writeScenarios,
} from "./helpers/isolated-run.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = await mkdtemp(join(tmpdir(), "edge-harness-dist-"));
after(() => rm(outDir, { recursive: true, force: true }));

/** How long build.ts may take before the test kills it; it takes 5 to 20 s here. */
const BUILD_TIMEOUT_MS = 300_000;
/** How long each scenario of an isolated run lasts, in seconds. */
const SCENARIO_SECONDS = 3;
const SCENARIOS = ["typed-get", "plain-post"];

interface BuildRun {
  exitCode: number | null;
  output: string;
  elapsedMs: number;
}

let building: Promise<BuildRun> | undefined;

/** Runs build.ts once for the whole file, on the runtime that runs this file. */
function buildOnce(): Promise<BuildRun> {
  building ??= runBuild();
  return building;
}

/** The documented build command of each runtime, less the runtime's binary. */
const BUILD_COMMANDS = {
  node: ["bin/run-ts.mjs", "build.ts"],
  bun: ["run", "build.ts"],
  deno: ["task", "build"],
};

function runBuild(): Promise<BuildRun> {
  const args = [...BUILD_COMMANDS[runtimeName], "--outdir", outDir];
  const startedMs = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      const elapsedMs = performance.now() - startedMs;
      console.log(`build.ts on ${runtimeName} took ${(elapsedMs / 1000).toFixed(1)} s`);
      resolve({ exitCode, output, elapsedMs });
    });
  });
}

/** The build's outputs, after asserting that the build succeeded. */
async function built(): Promise<string> {
  const run = await buildOnce();
  assert.equal(run.exitCode, 0, `build.ts failed:\n${run.output}`);
  return outDir;
}

function denoBinary(): string {
  return runtimeName === "deno" ? process.execPath : join(root, "node_modules/.bin/deno");
}

function nodeBinary(): string {
  const binary = findNodeBinary();
  assert.ok(binary, "no Node binary on PATH to run the Node build with");
  return binary;
}

/** Fails when `folder` or a folder above it holds node_modules. */
function assertNoNodeModulesAbove(folder: string): void {
  for (let current = folder; ; current = dirname(current)) {
    assert.equal(existsSync(join(current, "node_modules")), false, `${current} has node_modules`);
    if (dirname(current) === current) return;
  }
}

/**
 * Copies the build output `artifactName` into a new empty folder, writes the scenarios,
 * serves the built-in target app on 127.0.0.1, runs the copy with `binaries` as the only
 * programs on PATH, and checks what it printed, served and sent.
 */
async function assertRunsScenarios(
  artifactName: string,
  binaries: Record<string, string>,
): Promise<void> {
  const artifact = join(await built(), artifactName);
  const workDir = await createWorkFolder();
  const target = await serve(createTargetApp().fetch, "127.0.0.1", 0);
  const targetUrl = `http://127.0.0.1:${target.port}`;
  try {
    const copy = await copyArtifact(artifact, workDir);
    assertNoNodeModulesAbove(dirname(copy));
    await writeScenarios(workDir, SCENARIO_SECONDS);
    const pathFolder = await createPathFolder(workDir, binaries);
    const args = ["run", SCENARIO_FOLDER, "--address", "127.0.0.1:0", "--quiet", "--no-color"];
    args.push("-e", `TARGET_URL=${targetUrl}`);
    const result = await runIsolated(copy, args, workDir, pathFolder, SCENARIOS);
    const printed = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;

    assert.equal(result.exitCode, 0, printed);
    assert.ok(result.metricsUrl, `no metrics address on stderr:\n${printed}`);
    assert.ok(result.metrics, `no /metrics body scraped from ${result.metricsUrl}`);
    assert.match(result.metrics, /^# TYPE harness_scenario_started_total counter$/m);
    for (const scenario of SCENARIOS) {
      assert.ok(startedCount(result.metrics, scenario) > 0, `${scenario} never started`);
      assert.match(result.stdout, new RegExp(`^  ${scenario} `, "m"), printed);
    }
    assert.match(result.stdout, /edge-harness summary: 2 scenario/, printed);
    assert.match(result.stdout, /✓ hello typed: 100\.00%/, printed);
    assert.match(result.stdout, /✓ hello plain: 100\.00%/, printed);

    assert.ok(result.dashboard, "the dashboard page was not fetched");
    assert.match(result.dashboard.page, /var uPlot=/, "the page inlines uPlot");
    const series = JSON.parse(result.dashboard.series) as { views: unknown[] };
    assert.equal(series.views.length, 5, "GET /v1/series returns the five views");

    const stats = (await (await fetch(`${targetUrl}/stats`)).json()) as { requests: number };
    assert.ok(stats.requests > 0, "the target received no request");
  } finally {
    await target.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

test("build writes each single file with shebang, run bit and map", async () => {
  const dist = await built();
  const shebangs = {
    "harness.node.mjs": "#!/usr/bin/env node\n",
    "harness.bun.js": "#!/usr/bin/env bun\n",
    "harness.deno.js":
      "#!/usr/bin/env -S deno run -A --node-modules-dir=manual --unstable-sloppy-imports\n",
  };
  for (const [name, shebang] of Object.entries(shebangs)) {
    const file = join(dist, name);
    const handle = await open(file);
    const { buffer, bytesRead } = await handle.read(
      Buffer.alloc(shebang.length),
      0,
      shebang.length,
      0,
    );
    await handle.close();
    assert.equal(buffer.subarray(0, bytesRead).toString("utf8"), shebang, name);
    assert.equal((await stat(file)).mode & 0o111, 0o111, `${name} is not executable`);
    const map = JSON.parse(await readFile(`${file}.map`, "utf8")) as {
      version: number;
      sources: string[];
    };
    assert.equal(map.version, 3, `${name}.map is not a source map`);
    assert.ok(
      map.sources.some((source) => source.endsWith("src/cli/main.ts")),
      `${name}.map does not map to src/cli/main.ts`,
    );
  }
});

test("build prints every output size and the deno compile command", async () => {
  await built();
  const { output } = await buildOnce();
  for (const name of [
    "harness.node.mjs",
    "harness.bun.js",
    "harness.deno.js",
    "harness-bun",
    "harness-node",
  ]) {
    assert.match(output, new RegExp(`${name.replace(".", "\\.")}\\s+[\\d.]+ [KM]iB`), output);
  }
  assert.match(
    output,
    /deno compile -A --node-modules-dir=manual --unstable-sloppy-imports --output /,
    output,
  );
});

test("node build runs scenarios with only node on PATH", async () => {
  await assertRunsScenarios("harness.node.mjs", { node: nodeBinary() });
});

test("bun build runs scenarios with only bun on PATH", async () => {
  await assertRunsScenarios("harness.bun.js", { bun: findBunBinary(root) });
});

test("deno build runs scenarios with only deno on PATH", async () => {
  await assertRunsScenarios("harness.deno.js", { deno: denoBinary() });
});

test("bun executable runs scenarios with an empty PATH", async () => {
  await assertRunsScenarios("harness-bun", {});
});

test("node executable runs scenarios with an empty PATH", async () => {
  await assertRunsScenarios("harness-node", {});
});

test("bun build run by node names the Node build", async () => {
  const workDir = await createWorkFolder();
  try {
    const copy = await copyArtifact(join(await built(), "harness.bun.js"), workDir);
    await writeScenarios(workDir, SCENARIO_SECONDS);
    const pathFolder = await createPathFolder(workDir, {});
    const args = [copy, "run", SCENARIO_FOLDER, "--address", "127.0.0.1:0", "--no-color"];
    const result = await runIsolated(nodeBinary(), args, workDir, pathFolder, []);

    assert.equal(result.exitCode, 2, result.stderr);
    assert.match(result.stderr, /this is the bun build of edge-harness/);
    assert.match(result.stderr, /on node, run harness\.node\.mjs/);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
});
