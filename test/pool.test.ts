import { test } from "node:test";
import assert from "node:assert/strict";
import { Lane, Pool } from "../src/core/pool.ts";
import { PromRecorder } from "../src/metrics/recorder.ts";
import { HarnessMetrics } from "../src/metrics/registry.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { metricValue } from "./helpers/scenarios.ts";

function createPool(idleCapacity: number) {
  const metrics = new HarnessMetrics({ processMetrics: false });
  const clock = new FakeClock();
  const pool = new Pool({ clock, recorder: new PromRecorder(metrics), idleCapacity });
  return { pool, metrics, clock };
}

test("pool creates players on demand up to the lane maximum", async () => {
  const { pool, metrics } = createPool(10);
  const lane = new Lane("a", 3);
  pool.addLane(lane);
  const players = [pool.acquire(lane), pool.acquire(lane), pool.acquire(lane)];
  assert.ok(players.every((player) => player !== undefined));
  assert.equal(pool.acquire(lane), undefined);
  assert.equal(pool.activePlayers, 3);
  assert.equal(pool.createdPlayers, 3);
  assert.equal(await metricValue(metrics, "harness_players_total"), 3);
});

test("pool reuses released players before creating new ones", () => {
  const { pool } = createPool(10);
  const lane = new Lane("a", 5);
  pool.addLane(lane);
  const first = pool.acquire(lane)!;
  pool.release(lane, first);
  assert.equal(pool.idleDepth, 1);
  assert.equal(pool.acquire(lane), first);
  assert.equal(pool.createdPlayers, 1);
});

test("pool retires players released into a full idle queue", () => {
  const { pool } = createPool(2);
  const lane = new Lane("a", 5);
  pool.addLane(lane);
  const players = [0, 1, 2, 3].map(() => pool.acquire(lane)!);
  for (const player of players) pool.release(lane, player);
  assert.equal(pool.idleDepth, 2);
  assert.equal(pool.activePlayers, 0);
});

test("pool release of a player twice changes nothing", () => {
  const { pool } = createPool(4);
  const lane = new Lane("a", 2);
  pool.addLane(lane);
  const player = pool.acquire(lane)!;
  pool.release(lane, player);
  pool.release(lane, player);
  assert.equal(pool.idleDepth, 1);
  assert.equal(pool.activePlayers, 0);
});

test("pool preAllocate stays within the idle capacity", () => {
  const { pool } = createPool(3);
  pool.preAllocate(10);
  assert.equal(pool.idleDepth, 3);
});

test("pool monitor samples the gauges every interval", async () => {
  const { pool, metrics, clock } = createPool(4);
  const lane = new Lane("a", 4);
  pool.addLane(lane);
  pool.acquire(lane);
  pool.preAllocate(2);
  pool.startMonitor(() => 7);
  await clock.advance(350);
  pool.stopMonitor();
  assert.equal(await metricValue(metrics, "harness_players_active"), 1);
  assert.equal(await metricValue(metrics, "harness_pool_idle_queue_depth"), 2);
  assert.equal(await metricValue(metrics, "harness_inflight_iterations"), 7);
  assert.equal(await metricValue(metrics, "harness_pool_idle_capacity"), 4);
  const ticks = await metricValue(metrics, "harness_pool_tick_duration_seconds_count");
  assert.equal(ticks, 4);
});
