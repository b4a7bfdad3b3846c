// Registers the TypeScript hooks of ts-hooks.mjs on Node (20.6 or later). Use it as
// `node --import ./bin/register-ts.mjs file.ts`. Bun and Deno run TypeScript natively.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
