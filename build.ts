// Writes the single-file builds of the harness for Node, Bun and Deno into dist/, then the
// native executables that this machine can make offline: Bun's (`bun build --compile`)
// and a Node single executable application. Runs on all three runtimes:
//
//   npm run build | node_modules/.bin/bun run build.ts | node_modules/.bin/deno task build
//
// Options: --outdir DIR (default dist), --no-executables (single files only).
import { mkdir } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { bundle, DENO_RUN_FLAGS, type BundleRuntime } from "./scripts/build/bundle.ts";
import {
  buildNodeSea,
  compileBun,
  findBunBinary,
  findNodeBinary,
} from "./scripts/build/executables.ts";
import { checkEntryPointFiles } from "./scripts/entry-points.ts";

const root = dirname(fileURLToPath(import.meta.url));

interface BuildArgs {
  outDir: string;
  executables: boolean;
}

function parseArgs(argv: string[]): BuildArgs {
  const args: BuildArgs = { outDir: resolve(root, "dist"), executables: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--outdir" && argv[i + 1] !== undefined) args.outDir = resolve(argv[++i]!);
    else if (arg === "--no-executables") args.executables = false;
    else
      throw new Error(
        `invalid argument "${arg}": build.ts takes --outdir DIR and --no-executables`,
      );
  }
  return args;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function shown(file: string): string {
  const path = relative(process.cwd(), file);
  return path.startsWith("..") ? file : path;
}

function runtimeLabel(): string {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun) return `bun ${versions.bun}`;
  if (versions.deno) return `deno ${versions.deno}`;
  return `node ${versions.node}`;
}

async function buildBundles(outDir: string): Promise<string> {
  const runtimes: BundleRuntime[] = ["node", "bun", "deno"];
  let bunBundle = "";
  for (const runtime of runtimes) {
    const output = await bundle(runtime, root, outDir);
    if (runtime === "bun") bunBundle = output.file;
    console.log(
      `  ${shown(output.file).padEnd(26)} ${formatBytes(output.bytes).padStart(10)}` +
        `  (source map ${formatBytes(output.mapBytes)})  ${formatSeconds(output.elapsedMs)}`,
    );
  }
  return bunBundle;
}

async function buildExecutables(outDir: string, bunBundle: string): Promise<void> {
  const bun = await compileBun(findBunBinary(root), bunBundle, outDir);
  console.log(
    `  ${shown(bun.file).padEnd(26)} ${formatBytes(bun.bytes).padStart(10)}` +
      `  (bun build --compile)  ${formatSeconds(bun.elapsedMs)}`,
  );

  const nodeBinary = findNodeBinary();
  if (!nodeBinary) {
    throw new Error(
      "no Node binary on PATH for the Node single executable; install Node 20 or later, " +
        "or pass --no-executables",
    );
  }
  const node = await buildNodeSea(nodeBinary, root, outDir);
  console.log(
    `  ${shown(node.file).padEnd(26)} ${formatBytes(node.bytes).padStart(10)}` +
      `  (Node single executable from ${nodeBinary})  ${formatSeconds(node.elapsedMs)}`,
  );

  const denoBundle = shown(resolve(outDir, "harness.deno.js"));
  const denoOut = shown(resolve(outDir, "harness-deno"));
  console.log(
    "  deno compile: skipped, because it downloads Deno's runtime binary (denort) and the\n" +
      "  build works offline. With network access, run:\n" +
      `    deno compile ${DENO_RUN_FLAGS} --output ${denoOut} ${denoBundle}`,
  );
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const problems = checkEntryPointFiles(root);
  if (problems.length > 0) {
    console.error("package.json and deno.json disagree:");
    for (const problem of problems) console.error(`  - ${problem}`);
    return 1;
  }

  const startedMs = performance.now();
  console.log(`building into ${shown(args.outDir)} on ${runtimeLabel()}`);
  await mkdir(args.outDir, { recursive: true });
  const bunBundle = await buildBundles(args.outDir);
  if (args.executables) await buildExecutables(args.outDir, bunBundle);
  console.log(`done in ${formatSeconds(performance.now() - startedMs)}`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
