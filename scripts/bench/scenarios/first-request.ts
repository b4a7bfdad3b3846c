// One request to TARGET_URL, then the run ends: the scenario of the start-to-first-request
// figure of `npm run bench`.
import type { ScenarioContext } from "../../../src/core/types.ts";

export const options = { executor: "shared-iterations", players: 1, iterations: 1 };

export default async function (ctx: ScenarioContext): Promise<void> {
  await ctx.http.get(`${ctx.env.TARGET_URL}/first`);
}
