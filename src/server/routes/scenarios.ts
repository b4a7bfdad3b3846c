import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { ControlError } from "../../core/control.ts";
import type { AppState } from "../app.ts";
import { clientAddress } from "../client-address.ts";
import {
  AddedFileSchema,
  AddFileSchema,
  ErrorSchema,
  ScenarioListSchema,
  ScenarioParamsSchema,
  ScenarioStatusSchema,
  scenarioChangeSchema,
} from "../schemas.ts";
import type { ScenarioStatus } from "../status.ts";
import { statusBody } from "./status.ts";
import { requireControl } from "./control-state.ts";

const json = <T>(schema: T) => ({ "application/json": { schema } });
const error = (description: string) => ({ description, content: json(ErrorSchema) });

const listScenarios = createRoute({
  method: "get",
  path: "/v1/scenarios",
  summary: "Every scenario of the run",
  responses: { 200: { description: "Scenarios", content: json(ScenarioListSchema) } },
});

const getScenario = createRoute({
  method: "get",
  path: "/v1/scenarios/{name}",
  summary: "One scenario",
  request: { params: ScenarioParamsSchema },
  responses: {
    200: { description: "The scenario", content: json(ScenarioStatusSchema) },
    400: error("Invalid scenario name"),
    404: error("No scenario of that name"),
  },
});

function patchScenario(maxRatePerSec: number) {
  return createRoute({
    method: "patch",
    path: "/v1/scenarios/{name}",
    summary: "Change a scenario's rate, pause state or players",
    description:
      "All fields given apply, or none does. `rate` is in arrivals per second and applies to " +
      "arrival-rate and externally-controlled executors; `players` applies to closed-model ones.",
    request: {
      params: ScenarioParamsSchema,
      body: { required: true, content: json(scenarioChangeSchema(maxRatePerSec)) },
    },
    responses: {
      200: { description: "The scenario after the change", content: json(ScenarioStatusSchema) },
      400: error("Invalid body or name"),
      401: error("Missing or wrong bearer token"),
      404: error("No scenario of that name"),
      409: error("The run or scenario is not running, or the field does not fit its executor"),
    },
  });
}

const addFile = createRoute({
  method: "post",
  path: "/v1/scenarios",
  summary: "Load a scenario file from the scenarios folder into the running run",
  request: { body: { required: true, content: json(AddFileSchema) } },
  responses: {
    201: {
      description: "Loaded; its scenarios start at their startTime",
      content: json(AddedFileSchema),
    },
    400: error("Invalid path, or the file failed to load"),
    401: error("Missing or wrong bearer token"),
    404: error("No such file in the scenarios folder"),
    409: error("The run is not running, or the file is already loaded"),
  },
});

function scenarioStatus(state: AppState, name: string): ScenarioStatus {
  const scenario = statusBody(state).scenarios.find((entry) => entry.name === name);
  if (!scenario) {
    throw new ControlError("not-found", `no scenario named "${name}"`, {
      field: "name",
      value: name,
    });
  }
  return scenario;
}

export function addScenarioRoutes(
  api: OpenAPIHono,
  state: () => AppState,
  maxRatePerSec: number,
): void {
  api.openapi(listScenarios, (c) =>
    c.json({ scenarios: statusBody(state()).scenarios } as never, 200),
  );

  api.openapi(getScenario, (c) => {
    const { name } = c.req.valid("param");
    return c.json(scenarioStatus(state(), name) as never, 200);
  });

  api.openapi(patchScenario(maxRatePerSec), (c) => {
    const { name } = c.req.valid("param");
    const { rate, paused, players } = c.req.valid("json");
    const control = requireControl(state());
    control.changeScenario(name, { ratePerSec: rate, paused, players }, clientAddress(c));
    return c.json(scenarioStatus(state(), name) as never, 200);
  });

  api.openapi(addFile, async (c) => {
    const { file } = c.req.valid("json");
    const added = await requireControl(state()).addFile(file, clientAddress(c));
    return c.json(added, 201);
  });
}
