import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
  createHttpClient,
  createInstrumentedFetch,
  type HttpInstrument,
} from "../src/core/http-client.ts";
import { NameLimiter } from "../src/core/http-name.ts";
import { parseFileOptions, type HttpConfig } from "../src/core/options.ts";
import { PromRecorder } from "../src/metrics/recorder.ts";
import { HarnessMetrics } from "../src/metrics/registry.ts";
import { systemClock } from "../src/runtime/clock.ts";
import { transportFactory } from "../src/runtime/http-transport.ts";
import { serve } from "../src/runtime/serve.ts";
import { createTargetApp } from "../src/target/app.ts";
import { metricValue } from "./helpers/scenarios.ts";

const target = await serve(createTargetApp().fetch, "127.0.0.1", 0);
const baseUrl = `http://127.0.0.1:${target.port}`;
const createTransport = await transportFactory();
after(() => target.close());

function setup(options: Record<string, unknown> = {}) {
  const metrics = new HarnessMetrics({ processMetrics: false });
  const recorder = new PromRecorder(metrics).scenario("http");
  const config: HttpConfig = parseFileOptions("http.ts", options).http;
  const instrument: HttpInstrument = {
    clock: systemClock,
    recorder,
    names: new NameLimiter(50, () => {}),
    config,
  };
  const transport = createTransport(config);
  const controller = new AbortController();
  const http = createHttpClient(transport, instrument, controller.signal);
  const fetch = createInstrumentedFetch(
    globalThis.fetch.bind(globalThis),
    instrument,
    controller.signal,
  );
  return { metrics, recorder, http, fetch, controller, transport };
}

test("ctx.http get returns status, headers, body, timings and feeds the metrics", async () => {
  const { http, metrics, recorder, transport } = setup();
  const response = await http.get(`${baseUrl}/api/items/2?token=secret`);
  await transport.close();
  assert.equal(response.status, 200);
  assert.match(response.headers["content-type"] ?? "", /application\/json/);
  assert.deepEqual(response.json(), { id: 2, name: "rope" });
  assert.ok(response.timings.duration > 0);
  assert.ok(response.timings.waiting! <= response.timings.duration);
  const labels = { scenario: "http", method: "GET", status: "200", name: "/api/items/:id" };
  assert.equal(await metricValue(metrics, "harness_http_requests_total", labels), 1);
  assert.equal(
    await metricValue(metrics, "harness_http_request_duration_seconds_count", labels),
    1,
  );
  assert.ok(
    (await metricValue(metrics, "harness_http_received_bytes_total", { scenario: "http" }))! > 20,
  );
  assert.ok(
    (await metricValue(metrics, "harness_http_sent_bytes_total", { scenario: "http" }))! > 10,
  );
  assert.deepEqual(recorder.httpTotals(), { requests: 1, failures: 0 });
});

test("ctx.http counts a status outside expectedStatuses as a failure", async () => {
  const { http, metrics, transport } = setup();
  const missing = await http.get(`${baseUrl}/api/items/999`, { tags: { name: "item" } });
  const allowed = await http.get(`${baseUrl}/status/404`, { expectedStatuses: [404] });
  await transport.close();
  assert.equal(missing.status, 404);
  assert.equal(allowed.status, 404);
  assert.equal(
    await metricValue(metrics, "harness_http_request_failures_total", {
      name: "item",
      kind: "status",
    }),
    1,
  );
  assert.equal(
    await metricValue(metrics, "harness_http_request_failures_total", {
      name: "/status/:id",
      kind: "status",
    }),
    undefined,
  );
});

test("ctx.http post sends JSON strings as given and objects as form fields", async () => {
  const { http, transport } = setup();
  const created = await http.post(`${baseUrl}/api/items`, JSON.stringify({ name: "kettle" }), {
    headers: { "content-type": "application/json" },
  });
  const form = await http.post(`${baseUrl}/api/items`, { name: "kettle" });
  await transport.close();
  assert.equal(created.status, 201);
  assert.equal((created.json() as { name: string }).name, "kettle");
  assert.equal(form.status, 400, "the target takes JSON only, so a form body is rejected");
});

test("ctx.http reports a refused connection as status 0 with its kind", async () => {
  const { http, metrics, transport } = setup();
  const closed = await serve(() => new Response("x"), "127.0.0.1", 0);
  await closed.close();
  const response = await http.get(`http://127.0.0.1:${closed.port}/gone`);
  await transport.close();
  assert.equal(response.status, 0);
  assert.equal(response.errorKind, "refused");
  assert.ok(response.error);
  assert.equal(
    await metricValue(metrics, "harness_http_request_failures_total", { kind: "refused" }),
    1,
  );
});

test("ctx.http times out a slow response with the timeout kind", async () => {
  const { http, metrics, transport } = setup();
  const response = await http.get(`${baseUrl}/slow?ms=2000`, { timeout: "200ms" });
  await transport.close();
  assert.equal(response.status, 0);
  assert.equal(response.errorKind, "timeout");
  assert.ok(response.timings.duration < 1500, `timed out after ${response.timings.duration} ms`);
  assert.equal(
    await metricValue(metrics, "harness_http_request_failures_total", { kind: "timeout" }),
    1,
  );
});

test("ctx.http rejects a request cut by cancellation and records nothing", async () => {
  const { http, controller, recorder, transport } = setup();
  const pending = http.get(`${baseUrl}/slow?ms=2000`);
  setTimeout(() => controller.abort(new Error("cancelled by the test")), 100);
  await assert.rejects(pending, /cancelled by the test/);
  await transport.close();
  assert.deepEqual(recorder.httpTotals(), { requests: 0, failures: 0 });
});

test("ctx.http batch runs requests together and keeps their order", async () => {
  const { http, transport } = setup();
  const responses = await http.batch([
    ["GET", `${baseUrl}/api/items/1`],
    { method: "GET", url: `${baseUrl}/api/items/3` },
    ["GET", `${baseUrl}/fast`],
  ]);
  await transport.close();
  assert.deepEqual(
    responses.map((response) => response.status),
    [200, 200, 200],
  );
  assert.equal((responses[1]!.json() as { name: string }).name, "lamp");
});

test("ctx.http discards bodies when discardResponseBodies is set", async () => {
  const { http, metrics, transport } = setup({ discardResponseBodies: true });
  const response = await http.get(`${baseUrl}/api/items`);
  await transport.close();
  assert.equal(response.status, 200);
  assert.equal(response.body, null);
  assert.ok(
    (await metricValue(metrics, "harness_http_received_bytes_total", { scenario: "http" }))! > 30,
  );
});

test("ctx.fetch returns a readable response and records it", async () => {
  const { fetch, metrics } = setup();
  const response = await fetch(`${baseUrl}/api/items`);
  const items = (await response.json()) as unknown[];
  assert.equal(response.status, 200);
  assert.equal(items.length >= 3, true);
  assert.equal(
    await metricValue(metrics, "harness_http_requests_total", {
      method: "GET",
      name: "/api/items",
    }),
    1,
  );
});

test("ctx.fetch records a failed connection and rethrows it", async () => {
  const { fetch, metrics } = setup();
  const closed = await serve(() => new Response("x"), "127.0.0.1", 0);
  await closed.close();
  await assert.rejects(fetch(`http://127.0.0.1:${closed.port}/gone`));
  assert.equal(
    await metricValue(metrics, "harness_http_request_failures_total", { kind: "refused" }),
    1,
  );
});
