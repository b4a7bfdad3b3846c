import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunControl } from "../src/core/control.ts";
import { ScenarioSet } from "../src/core/scenario-set.ts";
import { loadModule } from "../src/runtime/module-loader.ts";
import { resolveScenarioPath } from "../src/runtime/scenario-path.ts";
import { createApp, type AppState } from "../src/server/app.ts";
import { HarnessMetrics } from "../src/metrics/registry.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { createTestRun, defineScenario, MemoryLogger, metricValue } from "./helpers/scenarios.ts";

const MAX_RATE = 1000;
const CLIENT = { remoteAddress: "192.0.2.7" };

/** A scenarios folder with a loadable file, a broken one, and paths that lead outside it. */
function scenarioFolder(): string {
  const root = mkdtempSync(join(tmpdir(), "control-api-"));
  const folder = join(root, "scenarios");
  mkdirSync(join(folder, "sub"), { recursive: true });
  const valid = 'export const options = { rate: 5, duration: "60s" };\nexport default () => {};\n';
  writeFileSync(join(folder, "extra.mjs"), valid);
  writeFileSync(join(folder, "sub", "inner.mjs"), valid);
  writeFileSync(join(folder, "broken.mjs"), "export default () => {\n");
  writeFileSync(join(folder, "notes.txt"), "not a scenario\n");
  writeFileSync(join(root, "outside.mjs"), valid);
  symlinkSync(join(root, "outside.mjs"), join(folder, "link.mjs"));
  return folder;
}

async function setup(options: { token?: string } = {}) {
  const clock = new FakeClock();
  const folder = scenarioFolder();
  const { run, metrics, recorder, logger } = createTestRun(
    [
      defineScenario("open", { rate: 10, duration: "60s", maxPlayers: 20 }, () => {}),
      defineScenario(
        "closed",
        { executor: "constant-players", players: 2, duration: "60s" },
        (ctx) => ctx.sleep(100),
      ),
    ],
    clock,
  );
  const scenarios = new ScenarioSet({
    run,
    loadModule,
    recorder,
    logger,
    resolveFile: (file) => resolveScenarioPath([folder], file),
  });
  const control = new RunControl(run, logger, scenarios);
  const state: AppState = { metrics, run, clock, control };
  const app = createApp(() => state, { maxRatePerSec: MAX_RATE, token: options.token });
  await run.start();
  await clock.advance(1000);
  const send = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.request(
      path,
      {
        method,
        headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
        body:
          body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      },
      CLIENT,
    );
  const finish = async () => {
    run.stop();
    await clock.advance(120_000);
    await run.finished;
  };
  return { app, run, clock, metrics, logger, send, finish, folder };
}

async function statusText(send: Awaited<ReturnType<typeof setup>>["send"]): Promise<string> {
  return (await send("GET", "/v1/status")).text();
}

test("GET /v1/status returns the run, its players and scenarios", async () => {
  const { send, finish } = await setup();
  const response = await send("GET", "/v1/status");
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.state, "running");
  assert.equal(body.paused, false);
  assert.deepEqual(
    body.scenarios.map((scenario: { name: string }) => scenario.name),
    ["open", "closed"],
  );
  assert.equal(body.scenarios[0].desiredRate, 10);
  assert.deepEqual(body.loadErrors, []);
  await finish();
});

test("GET /v1/scenarios and /v1/scenarios/:name return scenario status", async () => {
  const { send, finish } = await setup();
  const list = await send("GET", "/v1/scenarios");
  assert.equal(list.status, 200);
  assert.equal((await list.json()).scenarios.length, 2);
  const one = await send("GET", "/v1/scenarios/closed");
  assert.equal(one.status, 200);
  const body = await one.json();
  assert.equal(body.name, "closed");
  assert.equal(body.executor, "constant-players");
  assert.equal(body.desiredRate, null);
  assert.equal((await send("GET", "/v1/scenarios/missing")).status, 404);
  await finish();
});

test("PATCH /v1/scenarios/:name sets the rate and logs the client", async () => {
  const { send, finish, metrics, logger } = await setup();
  const response = await send("PATCH", "/v1/scenarios/open", { rate: 50 });
  assert.equal(response.status, 200);
  assert.equal((await response.json()).desiredRate, 50);
  assert.equal(
    await metricValue(metrics, "harness_compositor_desired_rate", { scenario: "open" }),
    50,
  );
  const lines = logger.lines.filter((line) => line.includes("control:"));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /scenario open: rate 10\/s -> 50\/s \(requested by 192\.0\.2\.7\)/);
  await finish();
});

test("PATCH /v1/scenarios/:name sets players and pauses", async () => {
  const { send, finish, run, clock } = await setup();
  const players = await send("PATCH", "/v1/scenarios/closed", { players: 4 });
  assert.equal(players.status, 200);
  await clock.advance(10);
  assert.equal(run.runners.get("closed")!.lane.busy.size, 4);
  const paused = await send("PATCH", "/v1/scenarios/open", { paused: true });
  assert.equal(paused.status, 200);
  const body = await paused.json();
  assert.equal(body.state, "paused");
  assert.equal(body.desiredRate, 0);
  await finish();
});

test("PATCH /v1/status pauses, resumes and stops the run", async () => {
  const { send, finish, run } = await setup();
  const paused = await send("PATCH", "/v1/status", { paused: true });
  assert.equal(paused.status, 200);
  const pausedBody = await paused.json();
  assert.equal(pausedBody.paused, true);
  assert.ok(pausedBody.scenarios.every((s: { state: string }) => s.state === "paused"));
  const resumed = await send("PATCH", "/v1/status", { paused: false });
  assert.equal((await resumed.json()).paused, false);
  const stopped = await send("PATCH", "/v1/status", { stopped: true });
  assert.equal(stopped.status, 200);
  assert.equal((await stopped.json()).state, "stopping");
  assert.equal(run.interruption?.kind, "operator");
  const late = await send("PATCH", "/v1/scenarios/open", { rate: 1 });
  assert.equal(late.status, 409);
  assert.match((await late.json()).error, /the run is stopping/);
  await finish();
});

test("POST /v1/scenarios loads a file from the scenarios folder", async () => {
  const { send, finish, clock, metrics } = await setup();
  const response = await send("POST", "/v1/scenarios", { file: "sub/inner.mjs" });
  assert.equal(response.status, 201);
  const body = await response.json();
  assert.deepEqual(body.scenarios, ["inner"]);
  await clock.advance(1000);
  const scenario = await (await send("GET", "/v1/scenarios/inner")).json();
  assert.equal(scenario.state, "running");
  assert.ok(scenario.counts.started >= 4, `started ${scenario.counts.started} in 1 s at 5/s`);
  assert.equal(
    await metricValue(metrics, "harness_compositor_desired_rate", { scenario: "inner" }),
    5,
  );
  const again = await send("POST", "/v1/scenarios", { file: "sub/inner.mjs" });
  assert.equal(again.status, 409);
  await finish();
});

test("POST /v1/scenarios reports a file that fails to load", async () => {
  const { send, finish, metrics } = await setup();
  const response = await send("POST", "/v1/scenarios", { file: "broken.mjs" });
  assert.equal(response.status, 400);
  assert.match((await response.json()).error, /broken\.mjs/);
  const status = await (await send("GET", "/v1/status")).json();
  assert.equal(status.loadErrors.length, 1);
  assert.match(status.loadErrors[0].file, /broken\.mjs$/);
  assert.equal(await metricValue(metrics, "harness_errors_total", { kind: "load" }), 1);
  await finish();
});

const BIG = JSON.stringify({ rate: 1, padding: "x".repeat(20_000) });

/** Requests that must be rejected with `status`, naming `field` where one is at fault. */
const badRequests: Array<{
  name: string;
  method: string;
  path: string;
  body: unknown;
  status: number;
  field?: string;
  value?: unknown;
  error?: RegExp;
  contentType?: string;
}> = [
  {
    name: "malformed JSON",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: '{"rate":',
    status: 400,
    error: /Malformed JSON/,
  },
  {
    name: "NaN literal",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: '{"rate": NaN}',
    status: 400,
    error: /Malformed JSON/,
  },
  {
    name: "rate as a string",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: { rate: "5" },
    status: 400,
    field: "rate",
    value: "5",
  },
  {
    name: "negative rate",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: { rate: -1 },
    status: 400,
    field: "rate",
    value: -1,
  },
  {
    name: "infinite rate",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: '{"rate": 1e999}',
    status: 400,
    field: "rate",
    value: "Infinity",
  },
  {
    name: "rate above the ceiling",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: { rate: MAX_RATE + 1 },
    status: 400,
    field: "rate",
    value: MAX_RATE + 1,
    error: /<=1000/,
  },
  {
    name: "fractional players",
    method: "PATCH",
    path: "/v1/scenarios/closed",
    body: { players: 1.5 },
    status: 400,
    field: "players",
    value: 1.5,
  },
  {
    name: "negative players",
    method: "PATCH",
    path: "/v1/scenarios/closed",
    body: { players: -2 },
    status: 400,
    field: "players",
    value: -2,
  },
  {
    name: "paused as a string",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: { paused: "yes" },
    status: 400,
    field: "paused",
    value: "yes",
  },
  {
    name: "unknown field",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: { rate: 1, burst: true },
    status: 400,
    field: "burst",
    value: true,
  },
  {
    name: "empty object",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: {},
    status: 400,
    field: "body",
  },
  {
    name: "array body",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: [1],
    status: 400,
    field: "body",
  },
  {
    name: "null body",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: "null",
    status: 400,
    field: "body",
  },
  {
    name: "text content type",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: '{"rate":1}',
    status: 415,
    contentType: "text/plain",
  },
  {
    name: "body over the size limit",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: BIG,
    status: 413,
  },
  {
    name: "unknown scenario",
    method: "PATCH",
    path: "/v1/scenarios/nope",
    body: { rate: 1 },
    status: 404,
    field: "name",
    value: "nope",
    error: /no scenario named "nope"/,
  },
  {
    name: "encoded slash in the name",
    method: "PATCH",
    path: "/v1/scenarios/..%2F..%2Fetc",
    body: { rate: 1 },
    status: 400,
    field: "name",
    value: "../../etc",
  },
  {
    name: "dot-dot name",
    method: "PATCH",
    path: "/v1/scenarios/..",
    body: { rate: 1 },
    status: 404,
    error: /no route/,
  },
  {
    name: "rate on a closed model",
    method: "PATCH",
    path: "/v1/scenarios/closed",
    body: { rate: 5 },
    status: 409,
    error: /players/,
  },
  {
    name: "players on an open model",
    method: "PATCH",
    path: "/v1/scenarios/open",
    body: { players: 5 },
    status: 409,
    error: /open model/,
  },
  {
    name: "paused and stopped together",
    method: "PATCH",
    path: "/v1/status",
    body: { paused: true, stopped: true },
    status: 400,
    field: "body",
  },
  {
    name: "stopped false",
    method: "PATCH",
    path: "/v1/status",
    body: { stopped: false },
    status: 400,
    field: "stopped",
    value: false,
  },
  {
    name: "run paused as a number",
    method: "PATCH",
    path: "/v1/status",
    body: { paused: 1 },
    status: 400,
    field: "paused",
    value: 1,
  },
  {
    name: "empty status change",
    method: "PATCH",
    path: "/v1/status",
    body: {},
    status: 400,
    field: "body",
  },
  {
    name: "file with ..",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "../outside.mjs" },
    field: "file",
    value: "../outside.mjs",
    status: 400,
    error: /"\.\."/,
  },
  {
    name: "file with .. inside",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "sub/../../outside.mjs" },
    field: "file",
    value: "sub/../../outside.mjs",
    status: 400,
    error: /"\.\."/,
  },
  {
    name: "file with backslash ..",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "..\\outside.mjs" },
    field: "file",
    value: "..\\outside.mjs",
    status: 400,
    error: /"\.\."/,
  },
  {
    name: "absolute file",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "/etc/passwd" },
    field: "file",
    value: "/etc/passwd",
    status: 400,
    error: /absolute/,
  },
  {
    name: "drive letter file",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "C:\\x.mjs" },
    field: "file",
    value: "C:\\x.mjs",
    status: 400,
    error: /absolute/,
  },
  {
    name: "encoded slash file",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "sub%2F..%2F..%2Foutside.mjs" },
    field: "file",
    value: "sub%2F..%2F..%2Foutside.mjs",
    status: 400,
    error: /encoded/,
  },
  {
    name: "symbolic link out of the folder",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "link.mjs" },
    field: "file",
    value: "link.mjs",
    status: 400,
    error: /outside the scenarios folder/,
  },
  {
    name: "missing file",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "missing.mjs" },
    field: "file",
    value: "missing.mjs",
    status: 404,
    error: /no file "missing\.mjs"/,
  },
  {
    name: "not a scenario file",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "notes.txt" },
    field: "file",
    value: "notes.txt",
    status: 400,
    error: /not a \.ts/,
  },
  {
    name: "empty file name",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "" },
    status: 400,
    field: "file",
    value: "",
  },
  {
    name: "file as a number",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: 5 },
    status: 400,
    field: "file",
    value: 5,
  },
  {
    name: "file with an unknown field",
    method: "POST",
    path: "/v1/scenarios",
    body: { file: "extra.mjs", now: true },
    status: 400,
    field: "now",
    value: true,
  },
];

for (const request of badRequests) {
  test(`${request.method} ${request.path} rejects ${request.name} and changes nothing`, async () => {
    const { send, finish, logger, metrics } = await setup();
    const before = await statusText(send);
    const rateBefore = await metricValue(metrics, "harness_compositor_desired_rate", {
      scenario: "open",
    });
    const logLines = logger.lines.length;
    const headers: Record<string, string> = request.contentType
      ? { "content-type": request.contentType }
      : {};
    const response = await send(request.method, request.path, request.body, headers);
    assert.equal(response.status, request.status);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const body = await response.json();
    assert.equal(typeof body.error, "string");
    if (request.field !== undefined) assert.equal(body.field, request.field);
    if ("value" in request) assert.deepEqual(body.value, request.value);
    if (request.field !== undefined)
      assert.ok(body.error.includes(request.field), `message names the field: ${body.error}`);
    if ("value" in request) {
      const infinite = body.value === "Infinity";
      const shown =
        typeof body.value === "string" && !infinite
          ? JSON.stringify(body.value)
          : String(body.value);
      assert.ok(body.error.includes(shown), `message shows the value ${shown}: ${body.error}`);
    }
    if (request.error) assert.match(body.error, request.error);
    assert.equal(await statusText(send), before);
    assert.equal(
      await metricValue(metrics, "harness_compositor_desired_rate", { scenario: "open" }),
      rateBefore,
    );
    assert.deepEqual(logger.lines.slice(logLines), []);
    await finish();
  });
}

test("bearer token guards mutating routes only", async () => {
  const { send, finish } = await setup({ token: "s3cret-token" });
  const before = await statusText(send);
  const missing = await send("PATCH", "/v1/scenarios/open", { rate: 50 });
  assert.equal(missing.status, 401);
  assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
  assert.match((await missing.json()).error, /missing Authorization header/);
  const wrong = await send(
    "PATCH",
    "/v1/status",
    { stopped: true },
    { authorization: "Bearer s3cret-tokem" },
  );
  assert.equal(wrong.status, 401);
  const post = await send(
    "POST",
    "/v1/scenarios",
    { file: "extra.mjs" },
    { authorization: "Basic abc" },
  );
  assert.equal(post.status, 401);
  assert.equal(await statusText(send), before);
  assert.equal((await send("GET", "/v1/scenarios")).status, 200);
  assert.equal((await send("GET", "/metrics")).status, 200);
  const right = await send(
    "PATCH",
    "/v1/scenarios/open",
    { rate: 50 },
    { authorization: "Bearer s3cret-token" },
  );
  assert.equal(right.status, 200);
  await finish();
});

test("control routes answer 409 before a run exists", async () => {
  const clock = new FakeClock();
  const state: AppState = {
    metrics: new HarnessMetrics({ processMetrics: false }),
    run: undefined,
    clock,
  };
  const app = createApp(() => state);
  const status = await app.request("/v1/status");
  assert.equal(status.status, 200);
  assert.equal((await status.json()).state, "idle");
  const change = await app.request("/v1/status", {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ paused: true }),
  });
  assert.equal(change.status, 409);
});

test("control API logs and reports an internal error", async () => {
  const logger = new MemoryLogger();
  const app = createApp(
    () => {
      throw new Error("state unavailable");
    },
    { logger },
  );
  const response = await app.request("/v1/status");
  assert.equal(response.status, 500);
  assert.equal((await response.json()).error, "internal error: state unavailable");
  assert.equal(logger.lines.length, 1);
  assert.match(
    logger.lines[0]!,
    /^error control API: GET \/v1\/status failed: Error: state unavailable/,
  );
});

test("GET /v1/openapi.json documents every /v1 route", async () => {
  const { send, finish } = await setup();
  const response = await send("GET", "/v1/openapi.json");
  assert.equal(response.status, 200);
  const document = await response.json();
  assert.equal(document.openapi, "3.1.0");
  const operations = Object.entries(document.paths as Record<string, object>).flatMap(
    ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
  assert.deepEqual(operations.sort(), [
    "GET /v1/scenarios",
    "GET /v1/scenarios/{name}",
    "GET /v1/status",
    "PATCH /v1/scenarios/{name}",
    "PATCH /v1/status",
    "POST /v1/scenarios",
  ]);
  const change =
    document.paths["/v1/scenarios/{name}"].patch.requestBody.content["application/json"].schema;
  const schema = change.$ref ? document.components.schemas[change.$ref.split("/").pop()] : change;
  assert.equal(schema.properties.rate.maximum, MAX_RATE);
  assert.equal(schema.additionalProperties, false);
  await finish();
});
