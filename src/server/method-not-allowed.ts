import type { Context, Hono } from "hono";

/**
 * Returns the methods that `app` serves on `path`, for the `Allow` header of a 405.
 * Middleware registered for every method (`ALL`) does not count. Path parameters
 * (`:name`) match one segment and a trailing `*` matches the rest.
 */
export function allowedMethods(app: Hono, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL" || !pathPattern(route.path).test(path)) continue;
    methods.add(route.method);
    // Hono serves HEAD requests with the GET handler.
    if (route.method === "GET") methods.add("HEAD");
  }
  return [...methods].sort();
}

function pathPattern(routePath: string): RegExp {
  const parts = routePath.split("/").map((segment) => {
    if (segment === "*") return ".*";
    if (segment.startsWith(":")) return "[^/]+";
    return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return new RegExp(`^${parts.join("/")}/?$`);
}

/**
 * Builds the response to a request that no route handles: 405 with `Allow` when the path exists
 * under other methods, otherwise 404. Both have a JSON `error`.
 */
export function noRouteResponse(app: Hono, c: Context): Response {
  const allowed = allowedMethods(app, c.req.path);
  // A path that reached no handler under its own method (such as "..") is not a route.
  if (allowed.length > 0 && !allowed.includes(c.req.method)) {
    return c.json(
      { error: `method ${c.req.method} not allowed on ${c.req.path}; use ${allowed.join(", ")}` },
      405,
      { Allow: allowed.join(", ") },
    );
  }
  return c.json(
    {
      error:
        `no route ${c.req.method} ${c.req.path}; ` +
        "see GET /v1/status, GET /metrics and GET /v1/openapi.json",
    },
    404,
  );
}
