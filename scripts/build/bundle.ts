import { chmod, stat } from "node:fs/promises";
import { join } from "node:path";
import { build, type BuildOptions, type Plugin } from "esbuild";

/** A runtime that gets its own single-file build. */
export type BundleRuntime = "node" | "bun" | "deno";

/** One file written by {@link bundle}, with its size and how long esbuild took. */
export interface BundleOutput {
  file: string;
  bytes: number;
  mapBytes: number;
  elapsedMs: number;
}

/** The source file every build starts from: it runs the command line and exits. */
export const ENTRY_POINT = "src/cli/entry.ts";

/** Output file name of each runtime's build, inside the output folder. */
export const BUNDLE_FILES: Record<BundleRuntime, string> = {
  node: "harness.node.mjs",
  bun: "harness.bun.js",
  deno: "harness.deno.js",
};

/** Flags of `deno run` and `deno compile` for the Deno build; see {@link SHEBANGS}. */
export const DENO_RUN_FLAGS = "-A --node-modules-dir=manual --unstable-sloppy-imports";

/**
 * The first line of each build. Deno needs `--node-modules-dir=manual` to resolve npm
 * packages that scenarios import from a `node_modules` folder next to them, and
 * `--unstable-sloppy-imports` to resolve `./helper.js` to `./helper.ts`, as the other
 * runtimes and source runs (deno.json) do.
 */
const SHEBANGS: Record<BundleRuntime, string> = {
  node: "#!/usr/bin/env node",
  bun: "#!/usr/bin/env bun",
  deno: `#!/usr/bin/env -S deno run ${DENO_RUN_FLAGS}`,
};

/**
 * npm packages that only Node's code paths import (the HTTP server adapter and undici's
 * request API). The Bun and Deno builds replace them by a module that throws on import.
 */
const NODE_ONLY_PACKAGES = ["undici", "@hono/node-server"];

/**
 * Loaders for assets that source files import, such as a dashboard page's script and
 * style sheet: each becomes a string in the build.
 */
const ASSET_LOADERS: BuildOptions["loader"] = {
  ".css": "text",
  ".html": "text",
  ".svg": "text",
  ".txt": "text",
};

/**
 * The esbuild options shared by every build of `runtime`. `format` is "esm" for the
 * single files and "cjs" for the Node single executable, which runs one CommonJS script.
 */
export function bundleOptions(
  runtime: BundleRuntime,
  format: "esm" | "cjs",
  root: string,
): BuildOptions {
  // In ES modules, bundled CommonJS packages (prom-client) need the require() that ES
  // modules lack. In CommonJS, import.meta.url needs a value that esbuild can substitute.
  const banner =
    format === "esm"
      ? `${SHEBANGS[runtime]}\nimport { createRequire as __harnessCreateRequire } from "node:module";\n` +
        "const require = __harnessCreateRequire(import.meta.url);"
      : 'var __harnessImportMetaUrl = require("node:url").pathToFileURL(__filename).href;';
  const define: Record<string, string> = {
    HARNESS_BUILD_RUNTIME: JSON.stringify(runtime),
    HARNESS_TRANSPILE_SCENARIOS: runtime === "node" ? "true" : "false",
  };
  if (format === "cjs") define["import.meta.url"] = "__harnessImportMetaUrl";
  return {
    absWorkingDir: root,
    entryPoints: [ENTRY_POINT],
    bundle: true,
    minify: true,
    platform: "node",
    format,
    target: runtime === "node" ? "node20" : "esnext",
    banner: { js: banner },
    define,
    loader: ASSET_LOADERS,
    legalComments: "eof",
    logLevel: "warning",
    plugins: [
      ...(runtime === "node" ? [] : [replaceNodeOnlyPackages(runtime)]),
      prefixNodeBuiltins(),
    ],
  };
}

/**
 * Writes the single-file build of `runtime` into `outDir`, with its source map beside it,
 * and sets its run bit.
 */
export async function bundle(
  runtime: BundleRuntime,
  root: string,
  outDir: string,
): Promise<BundleOutput> {
  const file = join(outDir, BUNDLE_FILES[runtime]);
  const startedMs = performance.now();
  await build({ ...bundleOptions(runtime, "esm", root), outfile: file, sourcemap: "linked" });
  const elapsedMs = performance.now() - startedMs;
  await chmod(file, 0o755);
  return {
    file,
    bytes: (await stat(file)).size,
    mapBytes: (await stat(`${file}.map`)).size,
    elapsedMs,
  };
}

/**
 * Writes Node's built-in modules with the `node:` prefix, which Deno requires and Node and
 * Bun accept. esbuild decides what is built in (its platform "node" list), not the runtime
 * that runs the build: Bun's own list also holds npm packages such as undici.
 */
function prefixNodeBuiltins(): Plugin {
  const nested = Symbol("prefix-node-builtins");
  return {
    name: "prefix-node-builtins",
    setup(build) {
      build.onResolve({ filter: /^[a-z_/]+$/ }, async (args) => {
        if (args.pluginData === nested) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: nested,
        });
        if (resolved.errors.length > 0 || !resolved.external) return undefined;
        return { path: `node:${args.path}`, external: true };
      });
    },
  };
}

/** Replaces {@link NODE_ONLY_PACKAGES} by a module that throws a clear error on import. */
function replaceNodeOnlyPackages(runtime: BundleRuntime): Plugin {
  const pattern = new RegExp(`^(${NODE_ONLY_PACKAGES.map(escapeRegExp).join("|")})$`);
  return {
    name: "replace-node-only-packages",
    setup(build) {
      build.onResolve({ filter: pattern }, (args) => ({
        path: args.path,
        namespace: "node-only",
      }));
      build.onLoad({ filter: /.*/, namespace: "node-only" }, (args) => ({
        contents:
          `throw new Error(${JSON.stringify(
            `${args.path} is not part of the ${runtime} build, which runs on ${runtime} only; ` +
              `on Node, run ${BUNDLE_FILES.node}`,
          )});` + "\nexport {};",
        loader: "js",
      }));
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
