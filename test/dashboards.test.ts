import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { test } from "node:test";
import { HarnessMetrics } from "../src/metrics/registry.ts";
import { VIEWS, allViewSeries } from "../src/metrics/views.ts";
import { buildDashboardFiles } from "../scripts/grafana-dashboards.ts";

const folder = new URL("../dashboards/", import.meta.url);

interface GrafanaPanel {
  title: string;
  datasource?: { uid?: string };
  fieldConfig: { defaults: { unit?: string; custom?: { axisLabel?: string } } };
  targets: Array<{ expr: string; refId: string; legendFormat: string }>;
}

async function committedDashboards(): Promise<Map<string, string>> {
  const names = (await readdir(folder)).filter((name) => name.endsWith(".json")).sort();
  const files = new Map<string, string>();
  for (const name of names) files.set(name, await readFile(new URL(name, folder), "utf8"));
  return files;
}

test("committed dashboards equal the generated ones", async () => {
  const generated = buildDashboardFiles();
  const committed = await committedDashboards();
  assert.deepEqual(
    [...committed.keys()].sort(),
    [...generated.keys()].sort(),
    "dashboards/*.json must be exactly the generated files; run scripts/generate-dashboards.ts",
  );
  for (const [name, text] of generated) {
    assert.equal(
      committed.get(name),
      text,
      `dashboards/${name} differs from the code; run node bin/run-ts.mjs scripts/generate-dashboards.ts`,
    );
  }
});

test("dashboards have five views with units on every axis", async () => {
  const committed = await committedDashboards();
  assert.equal(committed.size, 5);
  for (const [name, text] of committed) {
    const dashboard = JSON.parse(text) as { panels: GrafanaPanel[]; templating: unknown };
    assert.ok(dashboard.panels.length > 0, `${name} has no panel`);
    for (const panel of dashboard.panels) {
      const where = `${name} panel "${panel.title}"`;
      assert.ok(panel.fieldConfig.defaults.unit, `${where} has no unit`);
      assert.ok(panel.fieldConfig.defaults.custom?.axisLabel, `${where} has no axis label`);
      assert.equal(panel.datasource?.uid, "${datasource}", `${where} datasource`);
      assert.ok(panel.targets.length > 0, `${where} has no query`);
      for (const target of panel.targets) assert.ok(target.expr.length > 0, `${where} empty expr`);
    }
  }
});

test("dashboards template scenario views by scenario", async () => {
  for (const view of VIEWS) {
    const text = await readFile(new URL(`${view.uid}.json`, folder), "utf8");
    const variables = (JSON.parse(text) as { templating: { list: Array<{ name: string }> } })
      .templating.list;
    const exprs = view.panels.flatMap((panel) => panel.series.map((series) => series.expr));
    const filtered = exprs.filter((expr) => expr.includes('scenario=~"$scenario"'));
    if (view.byScenario) {
      assert.ok(
        variables.some((variable) => variable.name === "scenario"),
        view.uid,
      );
      assert.ok(filtered.length > 0, `${view.uid} never filters on $scenario`);
    } else {
      assert.equal(filtered.length, 0, `${view.uid} filters on $scenario without the variable`);
    }
  }
});

test("dashboard queries use only registered metrics", async () => {
  const metrics = new HarnessMetrics({ processMetrics: false });
  const registered = new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));
  for (const series of allViewSeries()) {
    const names = series.expr.match(/harness_[a-z_]+/g) ?? [];
    assert.ok(names.length > 0, `${series.id} names no metric`);
    for (const name of names) {
      const base = name.replace(/_bucket$/, "");
      assert.ok(registered.has(base), `${series.id} uses ${name}, which is not registered`);
    }
  }
});

test("dashboard series ids are unique", () => {
  const ids = allViewSeries().map((series) => series.id);
  assert.equal(new Set(ids).size, ids.length);
});

test("prometheus.yml scrapes the default address every second", async () => {
  const text = await readFile(new URL("prometheus.yml", folder), "utf8");
  assert.match(text, /^\s+scrape_interval: 1s$/m);
  assert.match(text, /targets: \["127\.0\.0\.1:6565"\]/);
  assert.match(text, /metrics_path: \/metrics/);
});

test("grafana provisioning reads dashboards from files", async () => {
  const text = await readFile(new URL("provisioning/dashboards/edge-harness.yml", folder), "utf8");
  assert.match(text, /^apiVersion: 1$/m);
  assert.match(text, /type: file/);
  assert.match(text, /path: \S+/);
});
