import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import type { ScenarioModule } from "../core/types.ts";
import { runtimeName } from "./detect.ts";

const require = createRequire(import.meta.url);

/**
 * Imports a scenario module. Deno and Node key their module cache by URL, so a new
 * `version` in the query string evaluates the file anew; Bun ignores the query, and
 * its cache entry is deleted instead. On Node, `.ts` files need the transform hook that
 * `bin/register-ts.mjs` registers.
 *
 * NOTE: only the scenario file itself is evaluated anew; modules it imports stay cached.
 */
export async function loadModule(path: string, version: number): Promise<ScenarioModule> {
  const url = pathToFileURL(path).href;
  if (runtimeName === "bun") {
    if (version > 0) delete require.cache[path];
    return (await import(url)) as ScenarioModule;
  }
  return (await import(version > 0 ? `${url}?v=${version}` : url)) as ScenarioModule;
}
