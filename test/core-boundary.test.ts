import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import ts from "typescript";

const coreDir = join(
  import.meta.dirname ?? new URL(".", import.meta.url).pathname,
  "..",
  "src",
  "core",
);
const FORBIDDEN_GLOBALS = new Set([
  "Deno",
  "Bun",
  "process",
  "Buffer",
  "require",
  "__dirname",
  "global",
]);

/** Every import that esbuild resolves from `entryPoints`, with its importer. */
async function collectImports(
  entryPoints: string[],
): Promise<Array<{ path: string; importer: string }>> {
  const imports: Array<{ path: string; importer: string }> = [];
  const recorder: Plugin = {
    name: "record-imports",
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        imports.push({ path: args.path, importer: args.importer });
        if (args.path.startsWith(".")) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
  await build({
    entryPoints,
    bundle: true,
    write: false,
    outdir: "out",
    platform: "neutral",
    format: "esm",
    plugins: [recorder],
    logLevel: "silent",
  });
  return imports;
}

/** Uses of runtime-specific globals in `source`, found with the TypeScript parser. */
function findGlobalUses(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(
    fileName,
    source,
    ts.ScriptTarget.ES2022,
    true,
    ts.ScriptKind.TS,
  );
  const uses: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text)) {
      const parent = node.parent;
      const isMemberName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isPropertyDeclaration(parent) && parent.name === node) ||
        (ts.isMethodDeclaration(parent) && parent.name === node) ||
        (ts.isPropertySignature(parent) && parent.name === node);
      if (!isMemberName) {
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        uses.push(`${fileName}:${line + 1} uses ${node.text}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return uses;
}

function forbiddenImports(imports: Array<{ path: string; importer: string }>): string[] {
  return imports
    .filter(({ path }) => !path.startsWith("."))
    .map(({ path, importer }) => `${importer} imports ${path}`);
}

test("core boundary check flags node imports, npm packages and runtime globals", async () => {
  const imports = [
    { path: "node:fs", importer: "a.ts" },
    { path: "fs", importer: "a.ts" },
    { path: "undici", importer: "a.ts" },
    { path: "./ok.ts", importer: "a.ts" },
  ];
  assert.equal(forbiddenImports(imports).length, 3);
  const uses = findGlobalUses(
    "b.ts",
    "const a = process.env.X; Deno.exit(1); const b = Buffer.from(''); const c = { process: 1 }; c.process;",
  );
  assert.deepEqual(
    uses.map((use) => use.split(" uses ")[1]),
    ["process", "Deno", "Buffer"],
  );
});

test("src/core imports only its own modules", async () => {
  const files = readdirSync(coreDir)
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join(coreDir, name));
  assert.ok(files.length >= 10, `expected the core's files, found ${files.length}`);
  const imports = await collectImports(files);
  assert.ok(imports.length > 10, "esbuild should have resolved the core's relative imports");
  assert.deepEqual(forbiddenImports(imports), []);
});

test("src/core uses no runtime-specific global", () => {
  const uses = readdirSync(coreDir)
    .filter((name) => name.endsWith(".ts"))
    .flatMap((name) => findGlobalUses(name, readFileSync(join(coreDir, name), "utf8")));
  assert.deepEqual(uses, []);
});
