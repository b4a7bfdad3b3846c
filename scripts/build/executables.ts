import { spawnSync } from "node:child_process";
import { chmod, copyFile, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { delimiter, join, resolve } from "node:path";
import { build } from "esbuild";
import { bundleOptions } from "./bundle.ts";

/** One native executable, with its size and how long making it took. */
export interface ExecutableOutput {
  file: string;
  bytes: number;
  elapsedMs: number;
}

const EXE_SUFFIX = process.platform === "win32" ? ".exe" : "";

/** Output file name of each native executable, inside the output folder. */
export const EXECUTABLE_FILES = {
  bun: `harness-bun${EXE_SUFFIX}`,
  node: `harness-node${EXE_SUFFIX}`,
};

/**
 * The sentinel string in Node's binary that postject flips so that Node runs the injected
 * blob. Official Node builds carry it; a Node built without single executable support
 * does not, and postject then fails.
 */
const NODE_SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/**
 * Compiles the Bun build into a native executable with `bun build --compile`. Bun embeds
 * its own binary, so nothing is downloaded when the target is this machine's platform.
 *
 * @throws {Error} with Bun's output when the compiler fails.
 */
export async function compileBun(
  bunBinary: string,
  bunBundle: string,
  outDir: string,
): Promise<ExecutableOutput> {
  const file = join(outDir, EXECUTABLE_FILES.bun);
  const startedMs = performance.now();
  run(bunBinary, ["build", "--compile", "--minify", "--sourcemap", bunBundle, "--outfile", file]);
  return { file, bytes: (await stat(file)).size, elapsedMs: performance.now() - startedMs };
}

/**
 * Makes a Node single executable application: esbuild writes the harness as one CommonJS
 * script (what the executable runs), `node --experimental-sea-config` turns it into a
 * blob, and postject injects the blob into a copy of `nodeBinary`.
 *
 * @throws {Error} with the failing command's output.
 */
export async function buildNodeSea(
  nodeBinary: string,
  root: string,
  outDir: string,
): Promise<ExecutableOutput> {
  const file = join(outDir, EXECUTABLE_FILES.node);
  const workDir = join(outDir, ".node-sea");
  const startedMs = performance.now();
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });

  const script = join(workDir, "harness.cjs");
  const blob = join(workDir, "harness.blob");
  const config = join(workDir, "sea-config.json");
  await build({ ...bundleOptions("node", "cjs", root), outfile: script });
  const seaConfig = { main: script, output: blob, disableExperimentalSEAWarning: true };
  await writeFile(config, JSON.stringify(seaConfig, null, 2));
  run(nodeBinary, ["--experimental-sea-config", config]);

  await rm(file, { force: true });
  await copyFile(nodeBinary, file);
  await chmod(file, 0o755);
  const postject = resolve(root, "node_modules/postject/dist/cli.js");
  run(nodeBinary, [postject, file, "NODE_SEA_BLOB", blob, "--sentinel-fuse", NODE_SEA_FUSE]);
  await rm(workDir, { recursive: true, force: true });
  return { file, bytes: (await stat(file)).size, elapsedMs: performance.now() - startedMs };
}

/**
 * Finds a Node binary for the single executable: `node` on PATH, skipping the `node`
 * that `bun run` puts first on PATH, which is Bun itself.
 *
 * @returns the path, or undefined when PATH holds no Node.
 */
export function findNodeBinary(): string | undefined {
  if (typeof globalThis.Bun === "undefined" && typeof globalThis.Deno === "undefined") {
    return process.execPath;
  }
  for (const folder of (process.env.PATH ?? "").split(delimiter)) {
    if (folder === "") continue;
    const candidate = join(folder, `node${EXE_SUFFIX}`);
    const probe = spawnSync(candidate, ["-p", "typeof Bun + ' ' + typeof Deno"], {
      encoding: "utf8",
    });
    if (probe.status === 0 && probe.stdout.trim() === "undefined undefined") return candidate;
  }
  return undefined;
}

/** Bun's binary: this process when the build runs on Bun, else the `bun` npm package's. */
export function findBunBinary(root: string): string {
  if (typeof globalThis.Bun !== "undefined") return process.execPath;
  return resolve(root, "node_modules/.bin/bun");
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.error) throw new Error(`${command} failed to start: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim();
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status}:\n${output}`);
  }
}
