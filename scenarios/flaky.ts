// An endpoint that fails 20% of the time; each 500 fails the iteration.
import type { ScenarioContext } from "../src/core/types.ts";

export const options = {
  executor: "constant-players",
  players: 2,
  duration: "15s",
};

export default async function (ctx: ScenarioContext) {
  const response = await ctx.http.get(`${ctx.env.TARGET_URL}/flaky?p=0.2`);
  if (response.status !== 200) throw new Error(`flaky endpoint returned ${response.status}`);
  await ctx.sleep(100);
}
