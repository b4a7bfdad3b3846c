#!/usr/bin/env node
// Entry point of `harness` on Node, Bun and Deno. Node needs the TypeScript hooks first.
if (typeof globalThis.Bun === "undefined" && typeof globalThis.Deno === "undefined") {
  await import("./register-ts.mjs");
}
const { runProcess } = await import("../src/cli/main.ts");
await runProcess();
