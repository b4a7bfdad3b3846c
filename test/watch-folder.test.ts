import { test } from "node:test";
import assert from "node:assert/strict";
import { renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { watchFolder, type FolderChanges } from "../src/runtime/watch.ts";
import { delay, scenarioFolder } from "./helpers/cli.ts";
import { waitFor } from "./helpers/served.ts";

/** Watches a new folder and collects every change report. */
async function watched(files: Record<string, string> = {}) {
  const folder = scenarioFolder(files);
  const reports: FolderChanges[] = [];
  const watcher = await watchFolder(folder, (changes) => reports.push(changes), {
    rescanMs: 60_000,
  });
  return { folder, reports, watcher };
}

const all = (reports: FolderChanges[], kind: keyof FolderChanges) =>
  reports.flatMap((report) => report[kind]);

test("watchFolder reports a burst of writes once", async () => {
  const { folder, reports, watcher } = await watched();
  const file = join(folder, "burst.mjs");
  for (let i = 0; i < 5; i++) writeFileSync(file, `export default () => ${i};\n`);
  await waitFor("the added file", async () => all(reports, "added").length > 0, 5000);
  await delay(300);
  watcher.close();
  assert.deepEqual(all(reports, "added"), [file]);
  assert.deepEqual(all(reports, "changed"), []);
});

test("watchFolder reports change, rename and removal", async () => {
  const { folder, reports, watcher } = await watched({ "a.mjs": "export default () => 1;\n" });
  const a = join(folder, "a.mjs");
  const b = join(folder, "b.mjs");
  writeFileSync(a, "export default () => 22;\n");
  await waitFor("the change", async () => all(reports, "changed").length > 0, 5000);
  assert.deepEqual(all(reports, "changed"), [a]);

  renameSync(a, b);
  await waitFor("the rename", async () => all(reports, "removed").length > 0, 5000);
  assert.deepEqual(all(reports, "removed"), [a]);
  assert.deepEqual(all(reports, "added"), [b]);

  unlinkSync(b);
  await waitFor("the removal", async () => all(reports, "removed").length > 1, 5000);
  watcher.close();
  assert.deepEqual(all(reports, "removed"), [a, b]);
});

test("watchFolder ignores files that are not scenarios", async () => {
  const { folder, reports, watcher } = await watched();
  writeFileSync(join(folder, "notes.txt"), "text\n");
  writeFileSync(join(folder, ".hidden.ts"), "export default () => {};\n");
  writeFileSync(join(folder, "types.d.ts"), "export {};\n");
  writeFileSync(join(folder, "real.ts"), "export default () => {};\n");
  await waitFor("the scenario file", async () => all(reports, "added").length > 0, 5000);
  await delay(300);
  watcher.close();
  assert.deepEqual(all(reports, "added"), [join(folder, "real.ts")]);
});

test("watchFolder rescans when an event is missed", async () => {
  const folder = scenarioFolder({});
  const reports: FolderChanges[] = [];
  const watcher = await watchFolder(folder, (changes) => reports.push(changes), {
    settleMs: 60_000,
    rescanMs: 200,
  });
  writeFileSync(join(folder, "late.mjs"), "export default () => {};\n");
  const waitedMs = await waitFor("the rescan", async () => all(reports, "added").length > 0, 5000);
  watcher.close();
  console.log(`rescan found the file after ${waitedMs.toFixed(0)} ms`);
  assert.deepEqual(all(reports, "added"), [join(folder, "late.mjs")]);
});
