import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "../core/types.ts";
import type { AppState } from "./app.ts";
import { bearerAuth } from "./auth.ts";
import { errorResponse, validationHook, type ErrorBody } from "./errors.ts";
import { addScenarioRoutes } from "./routes/scenarios.ts";
import { addStatusRoutes } from "./routes/status.ts";

/** Default ceiling of `rate` in `PATCH /v1/scenarios/:name`, in arrivals per second. */
export const DEFAULT_MAX_RATE_PER_SEC = 100_000;
/** Default limit of a request body, in bytes; the largest valid body is about 1 KB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

export interface ControlApiOptions {
  /** Bearer token that mutating routes require; none means no check (loopback only). */
  token?: string;
  /** Highest rate a client may set, in arrivals per second. */
  maxRatePerSec?: number;
  maxBodyBytes?: number;
  /** Receives unexpected errors of the routes (500). */
  logger?: Logger;
}

/**
 * Creates the `/v1` routes: status and scenarios (read and change) and the OpenAPI document at
 * `/v1/openapi.json`, generated from the zod schemas that validate the requests.
 */
export function createControlApi(state: () => AppState, options: ControlApiOptions = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const api = new OpenAPIHono({ defaultHook: validationHook as never });

  if (options.token) api.use("/v1/*", bearerAuth(options.token));
  api.use(
    "/v1/*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) =>
        c.json(
          { error: `request body larger than ${maxBodyBytes} bytes` } satisfies ErrorBody,
          413,
        ),
    }),
  );

  addStatusRoutes(api, state);
  addScenarioRoutes(api, state, options.maxRatePerSec ?? DEFAULT_MAX_RATE_PER_SEC);

  api.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "Required on PATCH and POST when the harness runs with --token",
  });
  api.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "edge-harness control API",
      version: "1",
      description:
        "Reads and steers a running load test. Changes apply within one compositor tick.",
    },
    security: options.token ? [{ bearer: [] }] : [],
  });
  api.onError((error, c) => errorResponse(error, c, options.logger));
  return api;
}
