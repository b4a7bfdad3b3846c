// Builds the Grafana dashboards of the five views with Grafana's foundation SDK.
// scripts/generate-dashboards.ts writes them to dashboards/, and test/dashboards.test.ts
// fails when the committed JSON differs from what this builds.
import { LegendDisplayMode, LegendPlacement } from "@grafana/grafana-foundation-sdk/common";
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { VizLegendOptionsBuilder } from "@grafana/grafana-foundation-sdk/common";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { VIEWS, type View, type ViewPanel } from "../src/metrics/views.ts";

/** The dashboards' datasource: the `datasource` variable, any Prometheus datasource. */
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
/** Grid width of one panel (of 24) and its height, in Grafana grid units. */
const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;
const REF_IDS = "ABCDEFGHIJ";

function buildPanel(panel: ViewPanel, id: number): PanelBuilder {
  const builder = new PanelBuilder()
    .id(id)
    .title(panel.title)
    .description(panel.description)
    .datasource(DATASOURCE)
    .unit(panel.unit)
    .axisLabel(panel.axisLabel)
    .axisSoftMin(0)
    .height(PANEL_HEIGHT)
    .span(PANEL_WIDTH)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom),
    );
  if (panel.unit === "percentunit") builder.min(0).max(1);
  panel.series.forEach((series, index) => {
    builder.withTarget(
      new DataqueryBuilder()
        .refId(REF_IDS[index]!)
        .datasource(DATASOURCE)
        .expr(series.expr)
        .legendFormat(series.legend)
        .range(),
    );
  });
  return builder;
}

function buildDashboard(view: View) {
  const builder = new DashboardBuilder(view.title)
    .uid(view.uid)
    .tags(["edge-harness"])
    .refresh("5s")
    .time({ from: "now-15m", to: "now" })
    .timezone("browser")
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(
      new DatasourceVariableBuilder("datasource").label("Prometheus").type("prometheus"),
    );
  if (view.byScenario) {
    builder.withVariable(
      new QueryVariableBuilder("scenario")
        .label("Scenario")
        .datasource(DATASOURCE)
        .query("label_values(harness_scenario_attempted_total, scenario)")
        .definition("label_values(harness_scenario_attempted_total, scenario)")
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue(".*"),
    );
  }
  view.panels.forEach((panel, index) => builder.withPanel(buildPanel(panel, index + 1)));
  return builder.build();
}

/** Builds every dashboard, keyed by its file name in `dashboards/`, as JSON text. */
export function buildDashboardFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const view of VIEWS) {
    files.set(`${view.uid}.json`, JSON.stringify(buildDashboard(view), null, 2) + "\n");
  }
  return files;
}
