import { z } from "@hono/zod-openapi";

/** Most players a `PATCH /v1/scenarios/:name` may ask for, a bound against typing errors. */
export { MAX_PLAYERS } from "../core/options.ts";
import { MAX_PLAYERS } from "../core/options.ts";

/** A scenario name: the file name, or `<file>.<key>` for an entry of `options.scenarios`. */
const SCENARIO_NAME = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64})?$/;

export const ErrorSchema = z
  .object({
    error: z
      .string()
      .openapi({ example: "rate: Too big: expected number to be <=10000, got 50000" }),
    field: z
      .string()
      .optional()
      .openapi({ description: "Request field or path parameter at fault" }),
    value: z.unknown().optional().openapi({ description: "Value received for `field`" }),
  })
  .openapi("Error");

export const ScenarioStatusSchema = z
  .object({
    name: z.string(),
    file: z.string(),
    executor: z.string(),
    state: z.enum(["waiting", "running", "paused", "stopping", "finished"]),
    desiredRate: z.number().nullable().openapi({
      description: "Arrivals per second asked for now; null for closed-model executors",
    }),
    achievedRate: z.number().openapi({ description: "Iterations started per second so far" }),
    players: z.object({ active: z.number().int(), max: z.number().int() }),
    counts: z.object({
      attempted: z.number().int(),
      started: z.number().int(),
      dropped: z.number().int(),
      success: z.number().int(),
      failure: z.number().int(),
      cancelled: z.number().int(),
    }),
  })
  .openapi("ScenarioStatus");

export const LoadProblemSchema = z
  .object({
    file: z.string(),
    reason: z.string(),
    atSeconds: z.number().openapi({ description: "Seconds into the run when the load failed" }),
  })
  .openapi("LoadProblem");

export const RunStatusSchema = z
  .object({
    state: z.enum(["idle", "created", "running", "stopping", "finished"]),
    paused: z.boolean().openapi({ description: "True after PATCH /v1/status {paused: true}" }),
    elapsedSeconds: z.number(),
    players: z.object({
      active: z.number().int(),
      idle: z.number().int(),
      created: z.number().int(),
    }),
    scenarios: z.array(ScenarioStatusSchema),
    loadErrors: z.array(LoadProblemSchema).openapi({
      description: "Files whose latest load failed; a changed file keeps its previous version",
    }),
  })
  .openapi("RunStatus");

export const ScenarioListSchema = z
  .object({ scenarios: z.array(ScenarioStatusSchema) })
  .openapi("ScenarioList");

export const StatusChangeSchema = z
  .strictObject({
    paused: z.boolean().optional().openapi({ description: "Pause or resume every scenario" }),
    stopped: z
      .literal(true)
      .optional()
      .openapi({ description: "Stop the run gracefully; it cannot be restarted" }),
  })
  .refine((body) => Object.keys(body).length === 1, {
    message: 'give exactly one of "paused" or "stopped"',
  })
  .openapi("StatusChange");

/** The body of `PATCH /v1/scenarios/:name`, with rates bounded by `maxRatePerSec`. */
export function scenarioChangeSchema(maxRatePerSec: number) {
  return z
    .strictObject({
      rate: z.number().min(0).max(maxRatePerSec).optional().openapi({
        description: "Arrivals per second (arrival-rate and externally-controlled executors)",
      }),
      paused: z.boolean().optional(),
      players: z
        .number()
        .int()
        .min(0)
        .max(MAX_PLAYERS)
        .optional()
        .openapi({ description: "Players kept busy (closed-model executors)" }),
    })
    .refine((body) => Object.keys(body).length > 0, {
      message: 'give at least one of "rate", "paused" or "players"',
    })
    .openapi("ScenarioChange");
}

export const ScenarioParamsSchema = z.object({
  name: z
    .string()
    .regex(SCENARIO_NAME)
    .openapi({ param: { name: "name", in: "path" }, example: "checkout" }),
});

export const AddFileSchema = z
  .strictObject({
    file: z
      .string()
      .min(1)
      .max(1024)
      .openapi({ description: "Path relative to the scenarios folder", example: "checkout.ts" }),
  })
  .openapi("AddFile");

export const AddedFileSchema = z
  .object({
    file: z.string().openapi({ description: "Absolute path of the loaded file" }),
    scenarios: z.array(z.string()),
  })
  .openapi("AddedFile");
