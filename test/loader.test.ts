import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadScenarioFile, ScenarioLoadError } from "../src/core/scenario-loader.ts";
import { listScenarioFiles } from "../src/runtime/files.ts";
import { loadModule } from "../src/runtime/module-loader.ts";
import { scenarioFolder } from "./helpers/cli.ts";

async function loadError(folder: string, file: string): Promise<ScenarioLoadError> {
  try {
    await loadScenarioFile(join(folder, file), loadModule);
  } catch (error) {
    assert.ok(error instanceof ScenarioLoadError, `expected ScenarioLoadError, got ${error}`);
    return error;
  }
  throw new Error(`${file} loaded, but should have failed`);
}

test("loader runs TypeScript scenarios with types, enums and relative imports", async () => {
  const folder = scenarioFolder({
    "typed.ts": `import { base } from "./lib/helper.ts";
enum Mode { Fast = "fast" }
interface Options { rate: number }
export const options: Options = { rate: 3 };
export default async function (ctx: { env: Record<string, string> }): Promise<string> {
  return base + Mode.Fast;
}
`,
    "lib/helper.ts": `export const base: string = "mode:";\n`,
  });
  const [definition] = await loadScenarioFile(join(folder, "typed.ts"), loadModule);
  assert.equal(definition!.name, "typed");
  assert.equal(definition!.config.rate, 3);
  assert.equal(await definition!.iterate({} as never), "mode:fast");
});

test("loader evaluates a changed file anew for a new version", async () => {
  const folder = scenarioFolder({ "changing.mjs": "export default () => 1;\n" });
  const file = join(folder, "changing.mjs");
  const [first] = await loadScenarioFile(file, loadModule, 0);
  writeFileSync(file, "export default () => 2;\n");
  const [second] = await loadScenarioFile(file, loadModule, 1);
  assert.equal(first!.iterate({} as never), 1);
  assert.equal(second!.iterate({} as never), 2);
});

test("loader names each scenario of options.scenarios after file and key", async () => {
  const folder = scenarioFolder({
    "shop.mjs": `export const options = { scenarios: { browse: { rate: 2 }, buy: { players: 1, exec: "buy" } } };
export default () => "browse";
export const buy = () => "buy";
`,
  });
  const definitions = await loadScenarioFile(join(folder, "shop.mjs"), loadModule);
  assert.deepEqual(
    definitions.map((d) => d.name),
    ["shop.browse", "shop.buy"],
  );
  assert.equal(definitions[1]!.iterate({} as never), "buy");
});

test("loader reports a missing exec function by name", async () => {
  const folder = scenarioFolder({
    "shop.mjs": `export const options = { scenarios: { buy: { rate: 1, exec: "purchase" } } };\nexport default () => {};\n`,
  });
  const error = await loadError(folder, "shop.mjs");
  assert.match(error.message, /exec "purchase" names no exported function/);
});

const badFiles: Array<[string, string, RegExp]> = [
  ["syntax.ts", "export default function ( {", /syntax\.ts/],
  ["no-default.mjs", "export const x = 1;", /no default export/],
  [
    "throws.mjs",
    "throw new RangeError('bad config at import');",
    /RangeError: bad config at import/,
  ],
  ["bad name.mjs", "export default () => {};", /may contain only letters, digits, "-" and "_"/],
  [`${"x".repeat(65)}.mjs`, "export default () => {};", /longer than 64 characters/],
  ["default-not-function.mjs", "export default 42;", /no default export/],
];

for (const [file, source, reason] of badFiles) {
  test(`loader rejects ${file.length > 20 ? "a 65-character name" : file} with its reason`, async () => {
    const folder = scenarioFolder({ [file]: source });
    const error = await loadError(folder, file);
    assert.match(error.message, reason);
    assert.ok(error.message.includes(file), "the message names the file");
  });
}

test("listScenarioFiles keeps .ts, .js and .mjs files and skips the rest", async () => {
  const folder = scenarioFolder({
    "b.ts": "",
    "a.mjs": "",
    "c.js": "",
    "types.d.ts": "",
    ".hidden.ts": "",
    "readme.md": "",
    "data.json": "{}",
  });
  const files = await listScenarioFiles([folder]);
  assert.deepEqual(
    files.map((file) => file.slice(folder.length + 1)),
    ["a.mjs", "b.ts", "c.js"],
  );
});

test("listScenarioFiles names a missing path", async () => {
  await assert.rejects(
    listScenarioFiles(["/nonexistent/scenarios"]),
    /scenario path not found: \/nonexistent\/scenarios/,
  );
});
