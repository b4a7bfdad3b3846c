import { test } from "node:test";
import assert from "node:assert/strict";
import { createApp, type AppState } from "../src/server/app.ts";
import { HarnessMetrics } from "../src/metrics/registry.ts";
import { FakeClock } from "./helpers/fake-clock.ts";

function app() {
  const state: AppState = { metrics: new HarnessMetrics(), run: undefined, clock: new FakeClock() };
  return createApp(() => state);
}

test("unsupported method on a route answers 405", async () => {
  const cases = [
    { method: "DELETE", path: "/v1/scenarios/fast-get", allow: "GET, HEAD, PATCH" },
    { method: "PUT", path: "/v1/status", allow: "GET, HEAD, PATCH" },
    { method: "DELETE", path: "/v1/scenarios", allow: "GET, HEAD, POST" },
    { method: "POST", path: "/metrics", allow: "GET, HEAD" },
  ];
  for (const { method, path, allow } of cases) {
    const response = await app().request(path, { method });
    assert.equal(response.status, 405, `${method} ${path}`);
    assert.equal(response.headers.get("allow"), allow, `${method} ${path}`);
    const body = await response.json();
    assert.match(body.error, new RegExp(`method ${method} not allowed on ${path}; use ${allow}`));
  }
});

test("HEAD listed in Allow is served", async () => {
  const response = await app().request("/metrics", { method: "HEAD" });
  assert.equal(response.status, 200);
});

test("unknown path still answers 404", async () => {
  const response = await app().request("/v1/nothing", { method: "DELETE" });
  assert.equal(response.status, 404);
  assert.equal(response.headers.get("allow"), null);
  assert.match((await response.json()).error, /no route DELETE \/v1\/nothing/);
});
