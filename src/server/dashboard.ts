import type { Hono } from "hono";
import { SeriesSampler } from "../metrics/series.ts";
import type { AppState } from "./app.ts";
import { renderDashboardHtml } from "./dashboard-html.ts";

/** Samplers started for states that came without one, such as the standalone app's. */
const lazySamplers = new WeakMap<AppState, SeriesSampler>();

/** Returns the state's sampler, starting one on first use when the state has none. */
function samplerOf(state: AppState): SeriesSampler {
  if (state.series) return state.series;
  let sampler = lazySamplers.get(state);
  if (!sampler) {
    sampler = new SeriesSampler(state.metrics, { clock: state.clock });
    sampler.start();
    lazySamplers.set(state, sampler);
  }
  return sampler;
}

/**
 * Adds the live dashboard: `GET /`, a page drawing the five views with uPlot, and
 * `GET /v1/series`, the recent points of every series that the page polls every second.
 */
export function addDashboardRoutes(app: Hono, state: () => AppState): void {
  app.get("/", (c) => {
    const sampler = samplerOf(state());
    return c.html(
      renderDashboardHtml({ mode: "live", title: "edge-harness", intervalMs: sampler.intervalMs }),
    );
  });

  app.get("/v1/series", (c) => {
    c.header("cache-control", "no-store");
    return c.json(samplerOf(state()).live());
  });
}
