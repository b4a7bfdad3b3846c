// Browser script of the dashboard page and of the HTML report: draws the five views with
// uPlot. In "live" mode it polls GET /v1/series and GET /v1/status every second and offers
// the scenario controls, which call PATCH /v1/scenarios/:name. In "report" mode it draws
// the run's series embedded in the page. scripts/embed-assets.ts embeds this file in the harness.
/* global uPlot */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("harness-config").textContent);
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];
  const CHART_HEIGHT_PX = 200;
  /** Charts by "view/panel" key: { plot, labels, title } */
  const charts = new Map();
  window.harnessCharts = charts;

  function formatValue(unit, value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return "";
    if (unit === "percentunit") return (value * 100).toFixed(0) + "%";
    if (unit === "s") {
      const abs = Math.abs(value);
      if (abs === 0) return "0";
      if (abs < 0.001) return (value * 1e6).toFixed(0) + " µs";
      if (abs < 1) return (value * 1000).toPrecision(3) + " ms";
      return value.toPrecision(3) + " s";
    }
    const text = Math.abs(value) >= 100 ? value.toFixed(0) : String(Number(value.toPrecision(3)));
    return unit === "cps" ? text + "/s" : text;
  }

  function chartWidth(container) {
    return Math.max(280, container.clientWidth - 16);
  }

  function createChart(container, panel, times) {
    const options = {
      width: chartWidth(container),
      height: CHART_HEIGHT_PX,
      legend: { show: true },
      scales: {
        x: { time: true },
        y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        {},
        {
          label: panel.axisLabel,
          size: 70,
          values: (u, splits) => splits.map((value) => formatValue(panel.unit, value)),
        },
      ],
      series: [
        {},
        ...panel.series.map((series, index) => ({
          label: series.label,
          stroke: COLORS[index % COLORS.length],
          width: 1.5,
          spanGaps: false,
          value: (u, value) => formatValue(panel.unit, value),
        })),
      ],
    };
    const data = [times, ...panel.series.map((series) => series.values)];
    return new uPlot(options, data, container);
  }

  function panelElement(viewElement, key, panel) {
    let element = document.getElementById(key);
    if (element) return element;
    element = document.createElement("div");
    element.className = "panel";
    element.id = key;
    element.dataset.panel = panel.title;
    const heading = document.createElement("h3");
    heading.textContent = panel.title;
    element.appendChild(heading);
    const body = document.createElement("div");
    body.className = "chart";
    element.appendChild(body);
    viewElement.querySelector(".panels").appendChild(element);
    return element;
  }

  function viewElement(view) {
    let element = document.getElementById(view.uid);
    if (element) return element;
    element = document.createElement("section");
    element.id = view.uid;
    element.className = "view";
    const heading = document.createElement("h2");
    heading.textContent = view.title.replace(/^Harness: /, "");
    element.appendChild(heading);
    const panels = document.createElement("div");
    panels.className = "panels";
    element.appendChild(panels);
    document.getElementById("views").appendChild(element);
    return element;
  }

  /** The data drawn last, redrawn when the scenario filter changes. */
  let lastData;

  /** Adds an option to the scenario filter for every scenario not listed yet. */
  function updateScenarioFilter(data) {
    const select = document.getElementById("scenario-filter");
    const known = new Set([...select.options].map((option) => option.value));
    for (const view of data.views) {
      for (const panel of view.panels) {
        for (const series of panel.series) {
          if (series.scenario === undefined || known.has(series.scenario)) continue;
          known.add(series.scenario);
          select.add(new Option(series.scenario, series.scenario));
        }
      }
    }
  }

  /** Keeps the series of the selected scenario in views templated by scenario. */
  function filterSeries(view, panel) {
    const selected = document.getElementById("scenario-filter").value;
    if (!view.byScenario || selected === "") return panel;
    const series = panel.series.filter(
      (item) => item.scenario === undefined || item.scenario === selected,
    );
    return { ...panel, series };
  }

  /** Draws `data` (a SeriesData), creating charts or rebuilding those whose series changed. */
  function draw(data) {
    lastData = data;
    updateScenarioFilter(data);
    for (const view of data.views) {
      const section = viewElement(view);
      view.panels.forEach((unfiltered, index) => {
        const panel = filterSeries(view, unfiltered);
        const key = view.uid + "-" + index;
        const element = panelElement(section, key, panel);
        const labels = panel.series.map((series) => series.label).join("\n");
        const existing = charts.get(key);
        if (existing && existing.labels === labels) {
          existing.plot.setData([data.timesSec, ...panel.series.map((series) => series.values)]);
          return;
        }
        if (existing) existing.plot.destroy();
        const body = element.querySelector(".chart");
        body.textContent = "";
        const plot = createChart(body, panel, data.timesSec);
        charts.set(key, { plot, labels, title: panel.title });
      });
    }
  }

  document.getElementById("scenario-filter").addEventListener("change", () => {
    if (lastData) draw(lastData);
  });

  window.addEventListener("resize", () => {
    for (const [key, chart] of charts) {
      const body = document.getElementById(key).querySelector(".chart");
      chart.plot.setSize({ width: chartWidth(body), height: CHART_HEIGHT_PX });
    }
  });

  function showMessage(text, isError) {
    const element = document.getElementById("message");
    element.textContent = text;
    element.className = isError ? "error" : "";
  }

  async function patchScenario(name, body) {
    const headers = { "content-type": "application/json" };
    const token = document.getElementById("token").value.trim();
    if (token) headers.authorization = "Bearer " + token;
    try {
      const response = await fetch("/v1/scenarios/" + encodeURIComponent(name), {
        method: "PATCH",
        headers,
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) {
        let reason = text;
        try {
          reason = JSON.parse(text).error || text;
        } catch (error) {
          // The body was not JSON: show it as it is.
        }
        showMessage(name + ": " + response.status + " " + reason, true);
        return;
      }
      showMessage(name + ": " + JSON.stringify(body) + " applied", false);
      void refreshStatus();
    } catch (error) {
      showMessage(name + ": request failed: " + error.message, true);
    }
  }

  function controlRow(scenario) {
    const row = document.createElement("tr");
    row.dataset.scenario = scenario.name;
    const cells = [scenario.name, scenario.executor, scenario.state, "", ""];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.appendChild(cell);
    }

    const rate = document.createElement("input");
    rate.type = "number";
    rate.min = "0";
    rate.step = "any";
    rate.className = "rate";
    rate.disabled = scenario.desiredRate === null;
    rate.title = "arrivals per second";

    const setRate = document.createElement("button");
    setRate.textContent = "Set rate";
    setRate.className = "set-rate";
    setRate.disabled = rate.disabled;
    setRate.addEventListener("click", () => {
      const value = Number(rate.value);
      if (rate.value === "" || !Number.isFinite(value) || value < 0) {
        showMessage(scenario.name + ": enter a rate >= 0 arrivals per second", true);
        return;
      }
      void patchScenario(scenario.name, { rate: value });
    });

    const pause = document.createElement("button");
    pause.className = "pause";
    pause.addEventListener("click", () => {
      void patchScenario(scenario.name, { paused: row.dataset.state !== "paused" });
    });

    const controls = document.createElement("td");
    controls.append(rate, setRate, pause);
    row.appendChild(controls);
    return row;
  }

  function updateRow(row, scenario) {
    row.dataset.state = scenario.state;
    const cells = row.children;
    cells[2].textContent = scenario.state;
    cells[3].textContent =
      scenario.desiredRate === null ? "closed model" : formatValue("cps", scenario.desiredRate);
    cells[4].textContent = formatValue("cps", scenario.achievedRate);
    const pause = row.querySelector(".pause");
    pause.textContent = scenario.state === "paused" ? "Resume" : "Pause";
    pause.disabled = scenario.state === "finished" || scenario.state === "waiting";
  }

  async function refreshStatus() {
    const response = await fetch("/v1/status");
    if (!response.ok) return;
    const status = await response.json();
    document.getElementById("run-state").textContent =
      status.state + ", " + status.elapsedSeconds.toFixed(0) + " s";
    const body = document.querySelector("#controls tbody");
    for (const scenario of status.scenarios) {
      let row = body.querySelector('tr[data-scenario="' + CSS.escape(scenario.name) + '"]');
      if (!row) {
        row = controlRow(scenario);
        body.appendChild(row);
      }
      updateRow(row, scenario);
    }
  }

  async function refreshSeries() {
    const response = await fetch("/v1/series");
    if (!response.ok) throw new Error("GET /v1/series returned " + response.status);
    draw(await response.json());
  }

  async function poll() {
    try {
      await Promise.all([refreshSeries(), refreshStatus()]);
      document.getElementById("connection").textContent = "live";
    } catch (error) {
      document.getElementById("connection").textContent = "disconnected: " + error.message;
    }
    setTimeout(poll, config.intervalMs || 1000);
  }

  if (config.mode === "report") {
    draw(config.data);
  } else {
    void poll();
  }
})();
