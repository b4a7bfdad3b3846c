import assert from "node:assert/strict";
import { test } from "node:test";
import { HarnessMetrics } from "../src/metrics/registry.ts";
import { DownsampledHistory, RingBuffer } from "../src/metrics/ring-buffer.ts";
import {
  SERIES_SOURCES,
  SeriesSampler,
  histogramQuantile,
  type SeriesData,
} from "../src/metrics/series.ts";
import { allViewSeries } from "../src/metrics/views.ts";
import { FakeClock } from "./helpers/fake-clock.ts";

function seriesOf(data: SeriesData, id: string, label?: string) {
  const all = data.views.flatMap((view) => view.panels.flatMap((panel) => panel.series));
  return all.filter(
    (series) => series.id === id && (label === undefined || series.label === label),
  );
}

test("RingBuffer keeps the latest items in order", () => {
  const ring = new RingBuffer<number>(3);
  for (const item of [1, 2, 3, 4, 5]) ring.push(item);
  assert.deepEqual(ring.toArray(), [3, 4, 5]);
  assert.equal(ring.fromEnd(0), 5);
  assert.equal(ring.fromEnd(2), 3);
  assert.equal(ring.fromEnd(3), undefined);
  assert.throws(() => new RingBuffer(0), RangeError);
});

test("DownsampledHistory halves resolution when full", () => {
  const history = new DownsampledHistory<number>(4);
  for (let item = 0; item < 10; item++) history.push(item);
  const kept = history.toArray();
  assert.ok(kept.length <= 5, `kept ${kept.length}`);
  assert.equal(kept[0], 0);
  assert.equal(kept[kept.length - 1], 9, "the latest item is always kept");
  assert.ok(history.stride > 1);
});

test("histogramQuantile interpolates like Prometheus", () => {
  const bounds = [0.1, 0.2, 0.4, Infinity];
  assert.ok(Number.isNaN(histogramQuantile(0.5, bounds, [0, 0, 0, 0])));
  assert.equal(histogramQuantile(0.5, bounds, [10, 10, 10, 10]), 0.05);
  assert.ok(Math.abs(histogramQuantile(0.75, bounds, [0, 10, 20, 20]) - 0.3) < 1e-12);
  assert.equal(histogramQuantile(0.99, bounds, [0, 0, 1, 100]), 0.4);
});

test("SERIES_SOURCES covers every view series", () => {
  for (const series of allViewSeries()) {
    assert.ok(SERIES_SOURCES[series.id], `no sampler source for ${series.id}`);
  }
});

test("SeriesSampler computes rates, ratios and quantiles", async () => {
  const clock = new FakeClock();
  const metrics = new HarnessMetrics({ processMetrics: false });
  let wallMs = 1_700_000_000_000;
  const sampler = new SeriesSampler(metrics, { clock, wallTimeMs: () => wallMs });
  metrics.poolIdleCapacity.set(10);
  metrics.poolIdleQueueDepth.set(4);
  sampler.start();
  await clock.advance(0);
  for (let second = 0; second < 6; second++) {
    metrics.scenarioAttempted.inc({ scenario: "a" }, 10);
    metrics.scenarioStarted.inc({ scenario: "a" }, 8);
    metrics.compositorIdleStarvation.inc({ scenario: "a" }, 2);
    for (let i = 0; i < 10; i++) metrics.scenarioDuration.observe({ scenario: "a" }, 0.05);
    wallMs += 1000;
    await clock.advance(1000);
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
  const data = sampler.live();

  assert.equal(data.timesSec.length, 7);
  assert.equal(data.timesSec[1]! - data.timesSec[0]!, 1);
  const attempted = seriesOf(data, "attempted_rate", "a attempted");
  assert.equal(attempted.length, 1);
  assert.equal(attempted[0]!.values.at(-1), 10);
  assert.equal(seriesOf(data, "started_rate")[0]!.values.at(-1), 8);
  assert.equal(seriesOf(data, "starvation_rate")[0]!.values.at(-1), 2);
  assert.equal(seriesOf(data, "pool_idle_saturation")[0]!.values.at(-1), 0.4);
  const p50 = seriesOf(data, "duration_p50", "a p50")[0]!.values.at(-1)!;
  assert.ok(p50 > 0.032, `p50 ${p50} above the 32 ms bound`);
  assert.ok(p50 <= 0.064, `p50 ${p50} within the 64 ms bound`);
  assert.equal(seriesOf(data, "attempted_rate")[0]!.values[0], null, "no rate at the first point");
  sampler.stop();
});

test("SeriesSampler history keeps the whole run", async () => {
  const clock = new FakeClock();
  const metrics = new HarnessMetrics({ processMetrics: false });
  const sampler = new SeriesSampler(metrics, { clock, livePoints: 3, historyPoints: 100 });
  sampler.start();
  await clock.advance(0);
  await clock.advance(9000);
  sampler.stop();
  assert.equal(sampler.live().timesSec.length, 3);
  assert.equal(sampler.history().timesSec.length, 10);
  assert.equal(seriesOf(sampler.history(), "players_active")[0]!.values.length, 10);
});
