import { watch, type FSWatcher } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { isScenarioFile } from "../core/scenario-loader.ts";

export interface FolderChanges {
  /** Absolute paths of scenario files that appeared. */
  added: string[];
  /** Absolute paths of scenario files whose size or modification time changed. */
  changed: string[];
  /** Absolute paths of scenario files that disappeared. */
  removed: string[];
}

export interface FolderWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last event before the folder is read again, in ms (default 50). */
  settleMs?: number;
  /** Interval of a full rescan that catches events the runtime's watcher missed, in ms (default 1000). */
  rescanMs?: number;
  onError?(error: Error): void;
}

type Snapshot = Map<string, string>;

/**
 * Watches `folder` (one level deep, scenario files only) with `node:fs` `watch`, which Node,
 * Bun and Deno all implement, and calls `onChanges` with what differs from the previous
 * listing. Events only trigger a new listing, so a burst of writes to one file is reported
 * once, and a rename or an editor's replace-by-rename is seen as what it did to the folder.
 */
export async function watchFolder(
  folder: string,
  onChanges: (changes: FolderChanges) => void,
  options: WatchOptions = {},
): Promise<FolderWatcher> {
  const settleMs = options.settleMs ?? 50;
  let snapshot = await readSnapshot(folder);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let scanning: Promise<void> = Promise.resolve();
  let closed = false;

  const scan = () => {
    scanning = scanning.then(async () => {
      if (closed) return;
      try {
        const next = await readSnapshot(folder);
        const changes = diff(snapshot, next);
        snapshot = next;
        if (changes.added.length + changes.changed.length + changes.removed.length > 0) {
          onChanges(changes);
        }
      } catch (error) {
        options.onError?.(error as Error);
      }
    });
  };
  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(scan, settleMs);
  };

  const watcher: FSWatcher = watch(folder, schedule);
  watcher.on("error", (error) => options.onError?.(error));
  const rescan = setInterval(scan, options.rescanMs ?? 1000);
  return {
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      clearInterval(rescan);
      watcher.close();
    },
  };
}

async function readSnapshot(folder: string): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();
  for (const entry of (await readdir(folder)).filter(isScenarioFile)) {
    const path = join(folder, entry);
    try {
      const info = await stat(path);
      if (info.isFile()) snapshot.set(path, `${info.size}:${info.mtimeMs}`);
    } catch {
      // Removed between the listing and the stat: the next listing reports it.
    }
  }
  return snapshot;
}

function diff(before: Snapshot, after: Snapshot): FolderChanges {
  const changes: FolderChanges = { added: [], changed: [], removed: [] };
  for (const [path, version] of after) {
    const previous = before.get(path);
    if (previous === undefined) changes.added.push(path);
    else if (previous !== version) changes.changed.push(path);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.removed.push(path);
  return changes;
}
