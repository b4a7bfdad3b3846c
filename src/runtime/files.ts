import { createWriteStream } from "node:fs";
import { constants } from "node:fs";
import { access, readdir, stat, writeFile } from "node:fs/promises";
import { dirname, resolve, join } from "node:path";
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

/**
 * Checks that a file can be created or replaced at `path`: its folder exists and is
 * writable, and `path` is not a folder. Returns the problem, or undefined when there is none.
 */
export async function fileWriteProblem(path: string): Promise<string | undefined> {
  const absolute = resolve(path);
  const existing = await stat(absolute).catch(() => undefined);
  if (existing?.isDirectory()) return `${absolute} is a folder, not a file`;
  const folder = dirname(absolute);
  const folderInfo = await stat(folder).catch(() => undefined);
  if (!folderInfo) return `folder ${folder} does not exist`;
  if (!folderInfo.isDirectory()) return `${folder} is not a folder`;
  try {
    await access(existing ? absolute : folder, constants.W_OK);
  } catch {
    return `${existing ? absolute : folder} is not writable`;
  }
  return undefined;
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

/** Writes `text` to `path`, replacing the file. */
export async function writeTextFile(path: string, text: string | Uint8Array): Promise<void> {
  await writeFile(resolve(path), text);
}

/** A file opened for appending text; `close` flushes and resolves once the data is written. */
export interface TextWriter {
  write(text: string): void;
  close(): Promise<void>;
}

/**
 * Opens `path` for writing, replacing the file. Write errors are passed to `onError` once;
 * later writes are dropped.
 */
export function openTextWriter(path: string, onError: (error: Error) => void): TextWriter {
  const stream = createWriteStream(resolve(path));
  let failed = false;
  stream.on("error", (error) => {
    if (failed) return;
    failed = true;
    onError(error);
  });
  return {
    write(text) {
      if (!failed) stream.write(text);
    },
    close() {
      return new Promise((done) => {
        if (failed) return done();
        stream.once("error", () => done());
        stream.end(() => done());
      });
    },
  };
}
