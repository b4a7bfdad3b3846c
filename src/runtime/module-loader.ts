import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import type { ScenarioModule } from "../core/types.ts";
import { runtimeName } from "./detect.ts";

/**
 * True in the Node build and the Node single executable, where build.ts defines it, so
 * that scenarios load through the embedded TypeScript transform. Undeclared in source runs.
 */
declare const HARNESS_TRANSPILE_SCENARIOS: boolean | undefined;

/**
 * Imports a scenario module. Deno and Node key their module cache by URL, so a new
 * `version` in the query string evaluates the file anew; Bun ignores the query, and
 * its cache entry is deleted instead. On Node, `.ts` files need the transform hook that
 * `bin/register-ts.mjs` registers.
 *
 * NOTE: only the scenario file itself is evaluated anew; modules it imports stay cached.
 */
export async function loadModule(path: string, version: number): Promise<ScenarioModule> {
  if (typeof HARNESS_TRANSPILE_SCENARIOS !== "undefined" && HARNESS_TRANSPILE_SCENARIOS) {
    const { loadTranspiledModule } = await import("./transpiling-module-loader.ts");
    return loadTranspiledModule(path, version);
  }
  const url = pathToFileURL(path).href;
  if (runtimeName === "bun") {
    // Created here, not at the top: the CommonJS build of the Node executable has no
    // import.meta.url, and it never takes this branch.
    if (version > 0) delete createRequire(import.meta.url).cache[path];
    return (await import(url)) as ScenarioModule;
  }
  return (await import(version > 0 ? `${url}?v=${version}` : url)) as ScenarioModule;
}
