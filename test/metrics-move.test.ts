import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { delay, scenarioFolder, startHarness } from "./helpers/cli.ts";
import { DESIGN_METRICS, parseExposition, sampleTotal } from "./helpers/prometheus.ts";

/** Scenarios that provoke drops, failures of each kind, timeouts, cancellations and a load error. */
const provoking = {
  "drops.mjs": `export const options = { rate: 40, duration: "3s", preAllocatedPlayers: 2, maxPlayers: 2 };
export default async (ctx) => { await ctx.http.get(ctx.env.TARGET_URL + "/slow?ms=200"); };
`,
  "failures.mjs": `export const options = { players: 1, duration: "3s" };
export default async (ctx) => {
  const status = await ctx.http.get(ctx.env.TARGET_URL + "/status/500");
  ctx.check(status, { "status is 200": (r) => r.status === 200 });
  await ctx.http.get(ctx.env.REFUSED_URL);
  await ctx.fetch(ctx.env.TARGET_URL + "/fast");
  await ctx.sleep(100);
  throw new Error("this iteration fails on purpose");
};
`,
  "timeouts.mjs": `export const options = { rate: 5, duration: "3s", timeout: "100ms" };
export default (ctx) => ctx.sleep(1000);
`,
  "cancelled.mjs": `export const options = { players: 2, duration: "2s", gracefulStop: "0s" };
export default (ctx) => ctx.sleep(60000);
`,
  "broken.mjs": "export default (",
};

/** A loopback port with no listener: bound once, then closed. (Fetch blocks port 1 on Deno.) */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

test("every metric of the design moves in a run that exercises it", async () => {
  const folder = scenarioFolder(provoking);
  const refusedUrl = `http://127.0.0.1:${await closedPort()}/refused`;
  const args = [
    folder,
    "--target",
    "--linger",
    "--quiet",
    "--address",
    "127.0.0.1:0",
    "-e",
    `REFUSED_URL=${refusedUrl}`,
  ];
  const harness = startHarness(args, {
    timeoutMs: 60_000,
  });
  const port = await harness.port;
  await delay(1500);
  const during = await scrape(port);
  for (
    let waited = 0;
    !/edge-harness summary/.test(harness.stdout()) && waited < 20_000;
    waited += 200
  )
    await delay(200);
  assert.match(harness.stdout(), /edge-harness summary/, "the run should have ended");
  const after = await scrape(port);
  harness.signal("SIGINT");
  const { code, stderr } = await harness.exited;
  assert.equal(code, 107, `the broken file makes it exit 107:\n${stderr}`);

  const names = parseExposition(after).map((family) => family.name);
  for (const name of DESIGN_METRICS) assert.ok(names.includes(name), `${name} missing`);

  const moved = (text: string, name: string, labels: Record<string, string> = {}) => {
    const value = sampleTotal(text, name, labels);
    assert.ok(value > 0, `${name}${JSON.stringify(labels)} should have moved, got ${value}`);
  };
  moved(during, "harness_players_active");
  moved(during, "harness_pool_idle_queue_depth");
  moved(during, "harness_inflight_iterations");
  moved(during, "harness_compositor_desired_rate", { scenario: "drops" });
  moved(after, "harness_pool_idle_capacity");
  moved(after, "harness_players_total");
  moved(after, "harness_pool_execute_wait_duration_seconds");
  moved(after, "harness_pool_tick_duration_seconds");
  moved(after, "harness_compositor_idle_starvation_total", { scenario: "drops" });
  moved(after, "harness_compositor_tick_duration_seconds");
  moved(after, "harness_compositor_tick_lag_seconds");
  moved(after, "harness_scenario_start_lag_seconds");
  moved(after, "harness_scenario_attempted_total", { scenario: "drops" });
  moved(after, "harness_scenario_started_total", { scenario: "drops" });
  moved(after, "harness_scenario_completed_total", { status: "success" });
  moved(after, "harness_scenario_completed_total", { status: "failure" });
  moved(after, "harness_scenario_completed_total", { status: "cancelled" });
  moved(after, "harness_scenario_duration_seconds");
  moved(after, "harness_cancellations_total", { source: "timeout" });
  moved(after, "harness_cancellations_total", { source: "shutdown" });
  moved(after, "harness_errors_total", { kind: "load" });
  moved(after, "harness_event_loop_lag_seconds");
  moved(after, "harness_http_requests_total", { scenario: "failures" });
  moved(after, "harness_http_request_duration_seconds");
  moved(after, "harness_http_request_failures_total", { kind: "status" });
  moved(after, "harness_http_request_failures_total", { kind: "refused" });
  moved(after, "harness_http_sent_bytes_total", { scenario: "drops" });
  moved(after, "harness_http_received_bytes_total", { scenario: "drops" });

  const attempted = sampleTotal(after, "harness_scenario_attempted_total", { scenario: "drops" });
  const started = sampleTotal(after, "harness_scenario_started_total", { scenario: "drops" });
  const starved = sampleTotal(after, "harness_compositor_idle_starvation_total", {
    scenario: "drops",
  });
  assert.equal(attempted, 120);
  assert.equal(starved, attempted - started);
  assert.equal(sampleTotal(after, "harness_players_active"), 0);
  assert.equal(sampleTotal(after, "harness_inflight_iterations"), 0);
});

test("queued arrivals make coordinated omission visible in start lag and latency", async () => {
  const folder = scenarioFolder({
    "stalled.mjs": `export const options = { rate: 5, duration: "2s", preAllocatedPlayers: 2, maxPlayers: 2, maxQueuedArrivals: 100, gracefulStop: "20s" };
export default async (ctx) => { await ctx.http.get(ctx.env.TARGET_URL + "/slow?ms=1000"); };
`,
  });
  const harness = startHarness([folder, "--target", "--quiet", "--address", "127.0.0.1:0"], {
    timeoutMs: 60_000,
  });
  const { code, stdout, stderr } = await harness.exited;
  assert.equal(code, 0, stderr);
  const stat = (line: string, name: string) => {
    const match = new RegExp(`${line} \\.+: .*\\b${name}=([\\d.]+)(ms|s)`).exec(stdout);
    assert.ok(match, `no ${name} on the ${line} line:\n${stdout}`);
    return Number(match[1]) * (match[2] === "s" ? 1000 : 1);
  };
  assert.match(stdout, /attempted 10 {2}started 10 {2}dropped 0/);
  const serviceMedMs = stat("service time", "med");
  const latencyMedMs = stat("latency", "med");
  const lagMaxMs = stat("start lag", "max");
  assert.ok(
    serviceMedMs >= 900 && serviceMedMs < 1500,
    `service time med ${serviceMedMs} ms, expected about 1 s`,
  );
  assert.ok(
    lagMaxMs >= 1500,
    `start lag max ${lagMaxMs} ms should grow past 1.5 s as arrivals queue`,
  );
  assert.ok(
    latencyMedMs > serviceMedMs + 500,
    `latency med ${latencyMedMs} ms should exceed service time med ${serviceMedMs} ms`,
  );
});
