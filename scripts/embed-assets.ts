// Writes src/server/assets/embedded.ts (see scripts/embedded-assets.ts).
// Usage: node bin/run-ts.mjs scripts/embed-assets.ts
import { writeFile } from "node:fs/promises";
import { buildEmbeddedModule } from "./embedded-assets.ts";

const path = new URL("../src/server/assets/embedded.ts", import.meta.url);
await writeFile(path, await buildEmbeddedModule());
console.log("wrote src/server/assets/embedded.ts");
