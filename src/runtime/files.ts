import { readdir, stat } from "node:fs/promises";
import { resolve, join } from "node:path";
import { isScenarioFile } from "../core/scenario-loader.ts";

/** Scenario files under `paths` (files, or folders read one level deep), as absolute paths, sorted. */
export async function listScenarioFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const absolute = resolve(path);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      throw new Error(`scenario path not found: ${path} (resolved to ${absolute})`);
    }
    if (info.isDirectory()) {
      const entries = (await readdir(absolute)).filter(isScenarioFile).sort();
      files.push(...entries.map((entry) => join(absolute, entry)));
    } else {
      files.push(absolute);
    }
  }
  return [...new Set(files)];
}

/** Resolves `path` against the working directory. */
export function resolvePath(path: string): string {
  return resolve(path);
}

/** The folders among `paths`, as absolute paths; files and missing paths are left out. */
export async function listScenarioFolders(paths: string[]): Promise<string[]> {
  const folders: string[] = [];
  for (const path of paths) {
    const absolute = resolve(path);
    const info = await stat(absolute).catch(() => undefined);
    if (info?.isDirectory() && !folders.includes(absolute)) folders.push(absolute);
  }
  return folders;
}
