import { HarnessMetrics } from "../src/metrics/registry.ts";
import { SeriesSampler } from "../src/metrics/series.ts";
import { systemClock } from "../src/runtime/clock.ts";
const metrics = new HarnessMetrics();
for (let i = 0; i < 50; i++) {
  const scenario = `s${i}`;
  metrics.scenarioAttempted.inc({ scenario });
  metrics.scenarioStarted.inc({ scenario });
  for (const status of ["success", "failure", "cancelled"]) metrics.scenarioCompleted.inc({ scenario, status }, 0);
  metrics.scenarioDuration.observe({ scenario }, 0.01);
  metrics.compositorIdleStarvation.inc({ scenario }, 0);
  metrics.compositorDesiredRate.set({ scenario }, 10);
}
const sampler = new SeriesSampler(metrics, { clock: systemClock });
for (let i = 0; i < 10; i++) await sampler.sample();
let t0 = performance.now();
for (let i = 0; i < 100; i++) await sampler.sample();
console.log("sample ms", ((performance.now() - t0) / 100).toFixed(3));
t0 = performance.now();
for (let i = 0; i < 100; i++) await metrics.registry.getSingleMetric("harness_scenario_duration_seconds")!.get();
console.log("duration get ms", ((performance.now() - t0) / 100).toFixed(3));
t0 = performance.now();
for (let i = 0; i < 20; i++) await metrics.metrics();
console.log("/metrics ms", ((performance.now() - t0) / 20).toFixed(3));
for (let i = 0; i < 3; i++) {
  const t1 = performance.now();
  const json = JSON.stringify(sampler.live());
  console.log("live() ms", (performance.now() - t1).toFixed(2), "bytes", json.length);
}
