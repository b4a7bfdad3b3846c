import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppState } from "../app.ts";
import { clientAddress } from "../client-address.ts";
import { ErrorSchema, RunStatusSchema, StatusChangeSchema } from "../schemas.ts";
import { runStatus, type RunStatus } from "../status.ts";
import { requireControl } from "./control-state.ts";

/** `GET /v1/status` with the pause flag and the files that failed to load. */
export type StatusBody = RunStatus & {
  paused: boolean;
  loadErrors: Array<{ file: string; reason: string; atSeconds: number }>;
};

const IDLE: StatusBody = {
  state: "idle",
  paused: false,
  elapsedSeconds: 0,
  players: { active: 0, idle: 0, created: 0 },
  scenarios: [],
  loadErrors: [],
};

const errors = {
  400: { description: "Invalid body", content: { "application/json": { schema: ErrorSchema } } },
  401: {
    description: "Missing or wrong bearer token",
    content: { "application/json": { schema: ErrorSchema } },
  },
  409: {
    description: "No running run to change",
    content: { "application/json": { schema: ErrorSchema } },
  },
} as const;

const getStatus = createRoute({
  method: "get",
  path: "/v1/status",
  summary: "State of the run, its players and every scenario",
  responses: {
    200: {
      description: "Run status",
      content: { "application/json": { schema: RunStatusSchema } },
    },
  },
});

const patchStatus = createRoute({
  method: "patch",
  path: "/v1/status",
  summary: "Pause, resume or stop the whole run",
  request: {
    body: { required: true, content: { "application/json": { schema: StatusChangeSchema } } },
  },
  responses: {
    200: {
      description: "Status after the change",
      content: { "application/json": { schema: RunStatusSchema } },
    },
    ...errors,
  },
});

/** The status body of the run in `state`, or of an idle harness when no run is attached. */
export function statusBody(state: AppState): StatusBody {
  const { run, clock, control } = state;
  if (!run) return IDLE;
  return {
    ...runStatus(run, clock.nowMs()),
    paused: control?.paused ?? false,
    loadErrors: control?.loadProblems ?? [],
  };
}

export function addStatusRoutes(api: OpenAPIHono, state: () => AppState): void {
  api.openapi(getStatus, (c) => c.json(statusBody(state()) as never, 200));

  api.openapi(patchStatus, (c) => {
    const change = c.req.valid("json");
    const control = requireControl(state());
    if (change.stopped) control.stop(clientAddress(c));
    else control.setPaused(change.paused!, clientAddress(c));
    return c.json(statusBody(state()) as never, 200);
  });
}
