import { existsSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";

/** The fields of package.json that name public entry points. */
export interface PackageManifest {
  bin?: string | Record<string, string>;
  exports?: string | Record<string, string>;
  scripts?: Record<string, string>;
}

/** The fields of deno.json that name public entry points. */
export interface DenoManifest {
  exports?: string | Record<string, string>;
  tasks?: Record<string, string>;
}

/** File extensions of the scripts that tasks and scripts run. */
const SCRIPT_FILE = /\.(?:m|c)?[jt]s$/;

/**
 * Compares the public entry points of package.json and deno.json and returns every
 * disagreement as one sentence (an empty list when they agree):
 *
 * - both export the same subpaths, each to the same file, and that file exists;
 * - every deno.json task has a package.json script of the same name, and when both run a
 *   script file of the repository, it is the same file;
 * - no deno.json task starts with a bare `deno`;
 * - every package.json `bin` file exists, and the `harness` task runs the `harness` bin.
 */
export function checkEntryPoints(pkg: PackageManifest, deno: DenoManifest, root: string): string[] {
  return [
    ...compareExports(pkg.exports, deno.exports, root),
    ...compareTasks(pkg.scripts ?? {}, deno.tasks ?? {}),
    ...checkBins(pkg, deno, root),
  ];
}

/** Reads package.json and deno.json in `root` and runs {@link checkEntryPoints}. */
export function checkEntryPointFiles(root: string): string[] {
  const read = (name: string) => JSON.parse(readFileSync(join(root, name), "utf8")) as object;
  return checkEntryPoints(read("package.json"), read("deno.json"), root);
}

function compareExports(
  pkgExports: PackageManifest["exports"],
  denoExports: DenoManifest["exports"],
  root: string,
): string[] {
  const pkg = exportMap(pkgExports);
  const deno = exportMap(denoExports);
  const problems: string[] = [];
  for (const subpath of new Set([...Object.keys(pkg), ...Object.keys(deno)])) {
    const pkgFile = pkg[subpath];
    const denoFile = deno[subpath];
    if (pkgFile === undefined || denoFile === undefined) {
      const [has, lacks] =
        pkgFile === undefined ? ["deno.json", "package.json"] : ["package.json", "deno.json"];
      problems.push(`export "${subpath}" is in ${has} but missing from ${lacks}`);
      continue;
    }
    if (normalize(pkgFile) !== normalize(denoFile)) {
      problems.push(
        `export "${subpath}" is ${pkgFile} in package.json but ${denoFile} in deno.json`,
      );
    }
    if (!existsSync(join(root, pkgFile))) {
      problems.push(`export "${subpath}" names ${pkgFile}, which does not exist`);
    }
  }
  return problems;
}

function compareTasks(scripts: Record<string, string>, tasks: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, task] of Object.entries(tasks)) {
    if (/^deno\s/.test(task)) {
      // With the deno npm package installed, deno task finds node_modules/.bin/deno first
      // and evaluates that binary as a JavaScript file.
      problems.push(
        `deno.json task "${name}" starts with "deno", which deno task resolves to ` +
          "node_modules/.bin/deno and fails to run; start it with node_modules/deno/deno",
      );
    }
    const script = scripts[name];
    if (script === undefined) {
      problems.push(`deno.json task "${name}" has no package.json script of the same name`);
      continue;
    }
    const taskFile = scriptFileOf(task);
    const scriptFile = scriptFileOf(script);
    if (taskFile && scriptFile && taskFile !== scriptFile) {
      problems.push(`"${name}" runs ${scriptFile} in package.json but ${taskFile} in deno.json`);
    }
  }
  return problems;
}

function checkBins(pkg: PackageManifest, deno: DenoManifest, root: string): string[] {
  const bins = typeof pkg.bin === "string" ? { harness: pkg.bin } : (pkg.bin ?? {});
  const problems: string[] = [];
  for (const [name, file] of Object.entries(bins)) {
    if (!existsSync(join(root, file))) {
      problems.push(`package.json bin "${name}" names ${file}, which does not exist`);
    }
  }
  const harnessBin = bins.harness;
  const harnessTask = deno.tasks?.harness;
  if (harnessBin !== undefined && harnessTask !== undefined) {
    const taskFile = scriptFileOf(harnessTask);
    if (taskFile !== normalize(harnessBin)) {
      problems.push(
        `deno.json task "harness" runs ${taskFile ?? "no script file"}, ` +
          `but the package.json bin "harness" is ${harnessBin}`,
      );
    }
  }
  return problems;
}

/** The exports as a map from subpath to file; a string export is the "." subpath. */
function exportMap(exports: string | Record<string, string> | undefined): Record<string, string> {
  if (exports === undefined) return {};
  return typeof exports === "string" ? { ".": exports } : exports;
}

/**
 * Finds the script that a command line runs: its last word naming a script file, so that
 * a launcher such as `node bin/run-ts.mjs build.ts` yields `build.ts`.
 */
function scriptFileOf(command: string): string | undefined {
  const file = command
    .split(/\s+/)
    .filter((word) => SCRIPT_FILE.test(word))
    .pop();
  return file === undefined ? undefined : normalize(file);
}
