// A fast GET at a steady 20 arrivals per second, checked for status and body.
import type { ScenarioContext } from "../src/core/types.ts";

export const options = {
  executor: "constant-arrival-rate",
  rate: 20,
  timeUnit: "1s",
  duration: "15s",
  preAllocatedPlayers: 5,
  maxPlayers: 20,
};

export default async function (ctx: ScenarioContext) {
  const response = await ctx.http.get(`${ctx.env.TARGET_URL}/fast`);
  ctx.check(response, {
    "status is 200": (r) => r.status === 200,
    "body says ok": (r) => (r.json() as { ok?: boolean }).ok === true,
  });
}
