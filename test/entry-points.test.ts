import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  checkEntryPointFiles,
  checkEntryPoints,
  type DenoManifest,
  type PackageManifest,
} from "../scripts/entry-points.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Entry points that agree, built like the repository's own. */
function agreeing(): { pkg: PackageManifest; deno: DenoManifest } {
  return {
    pkg: {
      bin: { harness: "./bin/harness.mjs" },
      exports: { ".": "./src/cli/main.ts", "./server": "./src/server/app.ts" },
      scripts: {
        harness: "node bin/harness.mjs",
        build: "node bin/run-ts.mjs build.ts",
        test: "node scripts/test-all.mjs",
      },
    },
    deno: {
      exports: { ".": "./src/cli/main.ts", "./server": "./src/server/app.ts" },
      tasks: {
        harness: "node_modules/deno/deno run -A bin/harness.mjs",
        build: "node_modules/deno/deno run -A build.ts",
        test: "node_modules/deno/deno test -A test/",
      },
    },
  };
}

test("entry points of package.json and deno.json agree", () => {
  assert.deepEqual(checkEntryPointFiles(root), []);
});

test("entry-point check accepts manifests that agree", () => {
  const { pkg, deno } = agreeing();
  assert.deepEqual(checkEntryPoints(pkg, deno, root), []);
});

const disagreements: {
  name: string;
  change: (manifests: { pkg: PackageManifest; deno: DenoManifest }) => void;
  expected: RegExp;
}[] = [
  {
    name: "export only in deno.json",
    change: ({ deno }) => ((deno.exports as Record<string, string>)["./target"] = "./x.ts"),
    expected: /export "\.\/target" is in deno\.json but missing from package\.json/,
  },
  {
    name: "export to another file",
    change: ({ pkg }) => ((pkg.exports as Record<string, string>)["./server"] = "./src/x.ts"),
    expected: /export "\.\/server" is \.\/src\/x\.ts in package\.json but/,
  },
  {
    name: "export to a missing file",
    change: ({ pkg, deno }) => {
      (pkg.exports as Record<string, string>)["./gone"] = "./src/gone.ts";
      (deno.exports as Record<string, string>)["./gone"] = "./src/gone.ts";
    },
    expected: /export "\.\/gone" names \.\/src\/gone\.ts, which does not exist/,
  },
  {
    name: "task without a script",
    change: ({ deno }) => (deno.tasks!.bench = "node_modules/deno/deno run -A scripts/bench.ts"),
    expected: /deno\.json task "bench" has no package\.json script/,
  },
  {
    name: "task running another file",
    change: ({ deno }) => (deno.tasks!.build = "node_modules/deno/deno run -A scripts/x.ts"),
    expected: /"build" runs build\.ts in package\.json but scripts\/x\.ts in deno\.json/,
  },
  {
    name: "bin to a missing file",
    change: ({ pkg }) => (pkg.bin = { harness: "./bin/missing.mjs" }),
    expected: /bin "harness" names \.\/bin\/missing\.mjs, which does not exist/,
  },
  {
    name: "harness task not running the bin",
    change: ({ deno }) => (deno.tasks!.harness = "node_modules/deno/deno run -A src/cli/entry.ts"),
    expected: /task "harness" runs src\/cli\/entry\.ts, but the package\.json bin/,
  },
  {
    name: "task starting with bare deno",
    change: ({ deno }) => (deno.tasks!.build = "deno run -A build.ts"),
    expected:
      /task "build" starts with "deno", which deno task resolves to node_modules\/\.bin\/deno/,
  },
];

for (const { name, change, expected } of disagreements) {
  test(`entry-point check reports ${name}`, () => {
    const manifests = agreeing();
    change(manifests);
    const problems = checkEntryPoints(manifests.pkg, manifests.deno, root);
    assert.equal(problems.length > 0, true, "no problem reported");
    assert.match(problems.join("\n"), expected);
  });
}
