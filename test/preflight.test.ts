import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHarness, scenarioFolder } from "./helpers/cli.ts";

const NOOP = "export const options = { rate: 5, duration: '500ms' };\nexport default () => {};\n";

test("unwritable output paths exit 104 before the run", async () => {
  const folder = scenarioFolder({ "noop.mjs": NOOP });
  const missing = join(folder, "missing-folder");
  const cases = [
    { args: ["--out", `json=${join(missing, "x.jsonl")}`], flag: /--out json=/ },
    { args: ["--summary-export", join(missing, "s.json")], flag: /--summary-export: / },
    { args: ["--summary-export", folder], flag: /--summary-export: .*is a folder/ },
    { args: ["--report", join(missing, "r.html")], flag: /--report: / },
  ];
  for (const { args, flag } of cases) {
    const run = await runHarness([folder, "--quiet", "--address", "127.0.0.1:0", ...args], {
      timeoutMs: 30_000,
    });
    assert.equal(run.code, 104, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, flag);
    assert.match(run.stderr, /create the folder or pick another file path/);
    assert.doesNotMatch(run.stderr, /metrics and status on/, "no server started");
    assert.doesNotMatch(run.stdout, /edge-harness summary/, "no run happened");
  }
});

test("missing scenario path is reported first", async () => {
  const missing = join(mkdtempSync(join(tmpdir(), "harness-missing-")), "nothing");
  const run = await runHarness([missing, "--quiet", "--address", "127.0.0.1:0"], {
    timeoutMs: 30_000,
  });
  assert.equal(run.code, 104, run.stderr);
  assert.match(run.stderr, /scenario path not found: .*nothing/);
  assert.doesNotMatch(run.stderr, /metrics and status on/, "no server started");
});

test("--rate with an unknown name exits 104", async () => {
  const folder = scenarioFolder({ "noop.mjs": NOOP, "other.mjs": NOOP });
  const run = await runHarness(
    [folder, "--quiet", "--address", "127.0.0.1:0", "--rate", "nosuch=5"],
    { timeoutMs: 30_000 },
  );
  assert.equal(run.code, 104, run.stderr);
  assert.match(
    run.stderr,
    /--rate nosuch=5: no scenario named "nosuch"; loaded scenarios: noop, other/,
  );
  assert.doesNotMatch(run.stdout, /edge-harness summary/, "no run happened");
});

test("output failing after the start exits 111", async () => {
  const badPath = join(mkdtempSync(join(tmpdir(), "harness-out-")), "missing-folder", "out.txt");
  const folder = scenarioFolder({
    "noop.mjs":
      NOOP + `export function handleSummary() { return { ${JSON.stringify(badPath)}: "x" }; }\n`,
  });
  const run = await runHarness([folder, "--quiet", "--address", "127.0.0.1:0"], {
    timeoutMs: 30_000,
  });
  assert.match(run.stderr, /handleSummary: cannot write .*missing-folder/);
  assert.equal(run.code, 111, run.stderr);
  assert.equal(existsSync(badPath), false);
});
