#!/usr/bin/env node
// Runs a TypeScript file on Node with the project's TypeScript hooks: `node bin/run-ts.mjs FILE [ARGS...]`.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

if (typeof globalThis.Bun === "undefined" && typeof globalThis.Deno === "undefined") {
  await import("./register-ts.mjs");
}
const file = process.argv[2];
if (!file) {
  console.error("usage: node bin/run-ts.mjs FILE.ts [ARGS...]");
  process.exit(2);
}
process.argv.splice(2, 1);
await import(pathToFileURL(resolve(file)).href);
