// A small JSON API session: list, create, then read back the created item.
import type { ScenarioContext } from "../src/core/types.ts";

export const options = {
  executor: "constant-arrival-rate",
  rate: 5,
  duration: "15s",
  maxPlayers: 10,
};

export default async function (ctx: ScenarioContext) {
  const base = `${ctx.env.TARGET_URL}/api/items`;
  const list = await ctx.http.get(base);
  ctx.check(list, { "list is 200": (r) => r.status === 200 });
  const created = await ctx.http.post(base, JSON.stringify({ name: `item-${ctx.player.id}` }), {
    headers: { "content-type": "application/json" },
  });
  ctx.check(created, { "create is 201": (r) => r.status === 201 });
  const { id } = created.json() as { id: number };
  const read = await ctx.http.get(`${base}/${id}`);
  ctx.check(read, { "read is 200": (r) => r.status === 200 });
}
