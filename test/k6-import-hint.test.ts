import { test } from "node:test";
import assert from "node:assert/strict";
import { runHarness, scenarioFolder } from "./helpers/cli.ts";

test("k6 import gets a hint", async () => {
  const folder = scenarioFolder({
    "k6style.mjs":
      'import http from "k6/http";\nexport default function () { http.get("http://127.0.0.1:9/"); }\n',
  });
  const run = await runHarness([folder, "--quiet", "--address", "127.0.0.1:0"], {
    timeoutMs: 30_000,
  });
  assert.equal(run.code, 107, run.stderr);
  assert.match(run.stderr, /k6style\.mjs/);
  assert.match(run.stderr, /edge-harness has no k6 modules/);
  assert.match(run.stderr, /use ctx\.http, ctx\.check and ctx\.sleep/);
});
