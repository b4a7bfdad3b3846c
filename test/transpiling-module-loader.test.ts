import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { TranspilingModuleLoader } from "../src/runtime/transpiling-module-loader.ts";

const root = await mkdtemp(join(tmpdir(), "transpiling loader ü "));
after(() => rm(root, { recursive: true, force: true }));

let folderCount = 0;

/** Writes `files` (paths relative to a new folder) and returns the folder. */
async function writeFiles(files: Record<string, string>): Promise<string> {
  const folder = join(root, `case ${++folderCount}`);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), text);
  }
  return folder;
}

type Iterate = () => unknown;

test("loader evaluates TypeScript with local imports", async () => {
  const folder = await writeFiles({
    "entry.ts": [
      'import { double, Unit } from "./lib/helper.js";',
      'import { label } from "./lib/named";',
      'import settings from "./settings.json";',
      "class Counter {",
      "  constructor(private readonly start: number) {}",
      "  next(): number { return this.start + 1; }",
      "}",
      "export const options = { rate: 2 as number };",
      "export default (): string =>",
      "  `${label}:${double(new Counter(1).next())}:${Unit.Seconds}:${settings.mode}`;",
    ].join("\n"),
    "lib/helper.ts": [
      "export enum Unit { Milliseconds = 1, Seconds = 1000 }",
      "export function double(value: number): number { return value * 2; }",
    ].join("\n"),
    "lib/named/index.ts": 'export const label: string = "named";\n',
    "settings.json": '{ "mode": "json" }\n',
  });
  const module = await new TranspilingModuleLoader().load(join(folder, "entry.ts"), 0);

  assert.deepEqual(module.options, { rate: 2 });
  assert.equal((module.default as Iterate)(), "named:4:1000:json");
});

test("loader resolves npm packages next to the scenario", async () => {
  const folder = await writeFiles({
    "entry.mjs": [
      'import { greet } from "cjs-words";',
      'import shout, { whisper } from "esm-words";',
      "export default () => [greet('a'), shout('b'), whisper('C')].join(' ');",
    ].join("\n"),
    "node_modules/cjs-words/package.json": '{ "name": "cjs-words", "main": "main.js" }',
    "node_modules/cjs-words/main.js": "exports.greet = (name) => `hello ${name}`;\n",
    "node_modules/esm-words/package.json":
      '{ "name": "esm-words", "type": "module", "exports": "./index.js" }',
    "node_modules/esm-words/index.js": [
      "export default (text) => text.toUpperCase();",
      "export const whisper = (text) => text.toLowerCase();",
    ].join("\n"),
  });
  const module = await new TranspilingModuleLoader().load(join(folder, "entry.mjs"), 0);

  assert.equal((module.default as Iterate)(), "hello a B c");
});

test("loader allows top-level await in the scenario file", async () => {
  const folder = await writeFiles({
    "entry.ts": [
      "const base: number = await Promise.resolve(40);",
      'const { two } = await import("./two.ts");',
      "export default () => base + two;",
    ].join("\n"),
    "two.ts": "export const two = 2;\n",
  });
  const module = await new TranspilingModuleLoader().load(join(folder, "entry.ts"), 0);

  assert.equal((module.default as Iterate)(), 42);
});

test("loader rejects top-level await in imported modules", async () => {
  const folder = await writeFiles({
    "entry.ts": 'import { value } from "./waits.ts";\nexport default () => value;\n',
    "waits.ts": "export const value = await Promise.resolve(1);\n",
  });
  const loading = new TranspilingModuleLoader().load(join(folder, "entry.ts"), 0);

  await assert.rejects(loading, SyntaxError);
});

test("loader gives import.meta of the scenario file", async () => {
  const folder = await writeFiles({
    "entry.mjs": [
      "export const url = import.meta.url;",
      "export const folder = import.meta.dirname;",
      'export const helper = import.meta.resolve("./helper.ts");',
      "export default () => {};",
    ].join("\n"),
    "helper.ts": "export {};\n",
  });
  const file = join(folder, "entry.mjs");
  const module = await new TranspilingModuleLoader().load(file, 0);

  assert.equal(module.url, pathToFileURL(file).href);
  assert.equal(module.folder, folder);
  assert.equal(module.helper, pathToFileURL(join(folder, "helper.ts")).href);
});

test("loader evaluates a file anew for a new version", async () => {
  const folder = await writeFiles({
    "entry.ts": [
      "const state = globalThis as { loadCount?: number };",
      "state.loadCount = (state.loadCount ?? 0) + 1;",
      "export const count = state.loadCount;",
      "export default () => {};",
    ].join("\n"),
  });
  const loader = new TranspilingModuleLoader();
  const file = join(folder, "entry.ts");
  const first = await loader.load(file, 0);
  const again = await loader.load(file, 0);
  const reloaded = await loader.load(file, 1);

  assert.equal(again, first);
  assert.equal((reloaded.count as number) - (first.count as number), 1);
});

test("loader gives module.exports of CommonJS as default", async () => {
  const folder = await writeFiles({
    "entry.js": "module.exports = () => 'from commonjs';\nmodule.exports.options = { rate: 3 };\n",
  });
  const module = await new TranspilingModuleLoader().load(join(folder, "entry.js"), 0);

  assert.equal((module.default as Iterate)(), "from commonjs");
  assert.deepEqual(module.options, { rate: 3 });
});

test("loader follows import cycles", async () => {
  const folder = await writeFiles({
    "entry.ts": 'import { ping } from "./ping.ts";\nexport default () => ping(3);\n',
    "ping.ts": [
      'import { pong } from "./pong.ts";',
      "export function ping(n: number): string { return n === 0 ? 'ping' : pong(n - 1); }",
    ].join("\n"),
    "pong.ts": [
      'import { ping } from "./ping.ts";',
      "export function pong(n: number): string { return n === 0 ? 'pong' : ping(n - 1); }",
    ].join("\n"),
  });
  const module = await new TranspilingModuleLoader().load(join(folder, "entry.ts"), 0);

  assert.equal((module.default as Iterate)(), "pong");
});

test("loader reports syntax errors with the file", async () => {
  const folder = await writeFiles({ "broken.ts": "export default function ( {\n" });
  const file = join(folder, "broken.ts");
  const loading = new TranspilingModuleLoader().load(file, 0);

  await assert.rejects(loading, (error: Error) => {
    assert.ok(error instanceof SyntaxError, `expected a SyntaxError, got ${error.name}`);
    assert.ok(error.message.includes(file), error.message);
    return true;
  });
});

test("loader reports a missing relative import", async () => {
  const folder = await writeFiles({
    "entry.ts": 'import { gone } from "./gone.ts";\nexport default () => gone;\n',
  });
  const file = join(folder, "entry.ts");
  const loading = new TranspilingModuleLoader().load(file, 0);

  await assert.rejects(loading, (error: Error & { code?: string }) => {
    assert.equal(error.code, "MODULE_NOT_FOUND");
    assert.ok(error.message.includes('"./gone.ts"'), error.message);
    assert.ok(error.message.includes(file), error.message);
    return true;
  });
});

test("loader keeps source lines in stack traces", async () => {
  const folder = await writeFiles({
    "throws.ts": [
      "interface Options {",
      "  rate: number;",
      "}",
      "export const options: Options = { rate: 1 };",
      "",
      "export default function (): never {",
      '  throw new Error("from line 7");',
      "}",
    ].join("\n"),
  });
  const module = await new TranspilingModuleLoader().load(join(folder, "throws.ts"), 0);

  assert.throws(
    () => (module.default as Iterate)(),
    (error: Error) => {
      assert.match(error.stack ?? "", /throws\.ts:7:\d+/);
      return true;
    },
  );
});
