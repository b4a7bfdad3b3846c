import { Hono } from "hono";
import type { Clock } from "../core/types.ts";
import type { RunControl } from "../core/control.ts";
import type { Run } from "../core/run.ts";
import { HarnessMetrics } from "../metrics/registry.ts";
import type { SeriesSampler } from "../metrics/series.ts";
import { createControlApi, type ControlApiOptions } from "./control-api.ts";
import { addDashboardRoutes } from "./dashboard.ts";
import { noRouteResponse } from "./method-not-allowed.ts";

/** What the app serves: the run's metrics and state. Read on every request, so a run can attach later. */
export interface AppState {
  metrics: HarnessMetrics;
  run: Run | undefined;
  clock: Clock;
  /** Applies control requests to `run`; absent until the run exists. */
  control?: RunControl;
  /** Samples the views' series for the dashboard page; started on first use when missing. */
  series?: SeriesSampler;
}

/** Builds the harness's Hono app over `state()`. */
export function createApp(state: () => AppState, control: ControlApiOptions = {}): Hono {
  const app = new Hono();

  app.get("/metrics", async (c) => {
    const { metrics } = state();
    return c.body(await metrics.metrics(), 200, { "content-type": metrics.contentType });
  });

  app.route("/", createControlApi(state, control));

  addDashboardRoutes(app, state);

  app.notFound((c) => noRouteResponse(app, c));
  app.onError((error, c) => c.json({ error: `internal error: ${error.message}` }, 500));
  return app;
}

let standalone: AppState | undefined;

/** The state the default export serves: empty metrics and no run, until a harness attaches one. */
export function standaloneState(): AppState {
  standalone ??= {
    metrics: new HarnessMetrics(),
    run: undefined,
    clock: {
      nowMs: () => performance.now(),
      setTimer: setTimeout,
      clearTimer: (h) => clearTimeout(h as number),
    },
  };
  return standalone;
}

/** The harness app as a plain fetch handler module, so `deno serve` and Bun can host it as it is. */
export default createApp(standaloneState);
