import { Hono } from "hono";

/** Longest delay a request may ask of `/slow`, in ms, so no test can hang the target. */
const MAX_DELAY_MS = 30_000;

function clampNumber(text: string | undefined, fallback: number, min: number, max: number): number {
  const value = text === undefined ? NaN : Number(text);
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The built-in target: an edge script on web-standard APIs only, so `deno serve` and Bun
 * host it as it is and Node through `@hono/node-server`. It counts what it answered, so
 * tests can check the harness's figures against the target's own (`GET /stats`).
 */
export function createTargetApp(): Hono {
  const app = new Hono();
  const counts = {
    requests: 0,
    byRoute: {} as Record<string, number>,
    byStatus: {} as Record<string, number>,
  };
  const items = new Map<number, { id: number; name: string }>();
  let nextId = 1;
  for (const name of ["anvil", "rope", "lamp"]) items.set(nextId, { id: nextId++, name });

  app.use("*", async (c, next) => {
    await next();
    if (c.req.path === "/stats") return;
    counts.requests++;
    const route = c.req.routePath;
    counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
    counts.byStatus[c.res.status] = (counts.byStatus[c.res.status] ?? 0) + 1;
  });

  app.get("/", (c) =>
    c.text("edge-harness target: /fast /slow?ms= /flaky?p= /status/:code /api/items\n"),
  );
  app.get("/fast", (c) => c.json({ ok: true }));
  app.get("/slow", async (c) => {
    const ms = clampNumber(c.req.query("ms"), 200, 0, MAX_DELAY_MS);
    await delay(ms);
    return c.json({ ok: true, delayedMs: ms });
  });
  app.get("/flaky", (c) => {
    const failureRate = clampNumber(c.req.query("p"), 0.2, 0, 1);
    return Math.random() < failureRate ? c.json({ ok: false }, 500) : c.json({ ok: true });
  });
  app.get("/status/:code", (c) => {
    const code = clampNumber(c.req.param("code"), 200, 200, 599);
    return c.body(null, code as 200);
  });
  app.get("/api/items", (c) => c.json([...items.values()]));
  app.get("/api/items/:id", (c) => {
    const item = items.get(Number(c.req.param("id")));
    return item ? c.json(item) : c.json({ error: "item not found" }, 404);
  });
  app.post("/api/items", async (c) => {
    const body = (await c.req.json().catch(() => null)) as { name?: unknown } | null;
    if (!body || typeof body.name !== "string" || body.name.length === 0) {
      return c.json({ error: 'body must be JSON {"name": string}' }, 400);
    }
    const item = { id: nextId++, name: body.name };
    if (items.size < 1000) items.set(item.id, item);
    return c.json(item, 201);
  });
  app.get("/stats", (c) => c.json(counts));
  return app;
}

export default createTargetApp();
