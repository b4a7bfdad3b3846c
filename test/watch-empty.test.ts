import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { delay, runHarness, startHarness } from "./helpers/cli.ts";
import { controlClient, waitFor } from "./helpers/served.ts";

const SHORT = `export const options = { rate: 10, duration: "1s" };
export default () => {};
`;

test("--watch on an empty folder waits for files", async () => {
  const folder = mkdtempSync(join(tmpdir(), "harness-watch-empty-"));
  const harness = startHarness(
    [folder, "--watch", "--no-target", "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 60_000 },
  );
  const client = controlClient(await harness.port);
  await delay(1500);
  assert.equal(harness.child.exitCode, null, `exited early:\n${harness.stderr()}`);
  assert.match(harness.stderr(), /--watch waits for files/);
  assert.equal((await client.get("/v1/status")).state, "running");

  writeFileSync(join(folder, "late.mjs"), SHORT);
  await waitFor(
    "the late file to load",
    async () => (await client.get("/v1/status")).scenarios.length === 1,
    10_000,
  );
  // The file's 1 s duration ends, then the file is removed: the run still waits.
  await delay(2000);
  unlinkSync(join(folder, "late.mjs"));
  await delay(1500);
  assert.equal(harness.child.exitCode, null, `exited early:\n${harness.stderr()}`);
  assert.equal((await client.get("/v1/status")).state, "running");

  harness.signal("SIGINT");
  const { code, stdout, stderr } = await harness.exited;
  assert.equal(code, 105, stderr);
  assert.match(stdout, /^ {2}late /m, "the summary lists the scenario that ran");
  assert.match(stdout, /started 10\b/, "the 1 s scenario ran all its 10 arrivals");
});

test("empty folder without --watch exits 107", async () => {
  const folder = mkdtempSync(join(tmpdir(), "harness-empty-"));
  const { code, stderr } = await runHarness(
    [folder, "--no-target", "--address", "127.0.0.1:0", "--quiet"],
    { timeoutMs: 30_000 },
  );
  assert.equal(code, 107, stderr);
  assert.match(stderr, /no scenario to run/);
});
