// Writes the Grafana dashboards to dashboards/<uid>.json.
// Usage: node bin/run-ts.mjs scripts/generate-dashboards.ts
import { writeFile } from "node:fs/promises";
import { buildDashboardFiles } from "./grafana-dashboards.ts";

const folder = new URL("../dashboards/", import.meta.url);
for (const [name, text] of buildDashboardFiles()) {
  await writeFile(new URL(name, folder), text);
  console.log(`wrote dashboards/${name}`);
}
