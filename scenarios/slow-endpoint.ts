// A slow endpoint (about 300 ms) under an open model: the players needed grow with the delay.
import type { ScenarioContext } from "../src/core/types.ts";

export const options = {
  executor: "constant-arrival-rate",
  rate: 10,
  duration: "15s",
  preAllocatedPlayers: 2,
  maxPlayers: 10,
  timeout: "5s",
};

export default async function (ctx: ScenarioContext) {
  const response = await ctx.fetch(`${ctx.env.TARGET_URL}/slow?ms=300`);
  ctx.check(response, { "status is 200": (r) => r.status === 200 });
}
