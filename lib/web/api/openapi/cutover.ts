import { z } from "zod";
import { CUTOVER_STATUSES, CUTOVER_STEP_STATUSES, CUTOVER_STEPS } from "@/lib/catalog/cutover-status";
import { apiSection, errorResponses, jsonBody, type JsonSchema, jsonResponse, pathParam, ref } from "@/lib/web/api/openapi/helpers";
import { cutoverOptionsSchema, sequenceSyncSchema } from "@/lib/web/mirrors/cutover";
import { reverseMirrorSchema } from "@/lib/web/mirrors/cutover-reverse";

/** The cutover and sequence routes (app/api/v1/mirrors/{name}/cutover, …/sequences/sync); shapes of lib/catalog/cutover-view.ts and lib/pg/sequences.ts. */

const jsonSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
};

const str = { type: "string" };
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: "null" }] });
const time = nullable({ type: "string", format: "date-time" });
const name = pathParam("name", "The mirror's name.");

const schemas: Record<string, JsonSchema> = {
  CutoverRequest: {
    ...jsonSchema(cutoverOptionsSchema),
    description:
      "fenceWrites (default true): revoke INSERT/UPDATE/DELETE/TRUNCATE on the mirrored tables from every role but pgferry's own and end sessions writing to them; false means you confirm the application stopped writing. " +
      "sequenceMargin (default 0): added to each source sequence value. maxLagSeconds (default 60): pre-flight refuses the cutover while replication lags more. " +
      "buildObjects (default true): build the target's indexes, constraints, views… before the switch; pre-flight names what would block the build (missing extensions, names taken on the target). " +
      "verify (default true): the cutover stops unless a verification of every table passes. dropSource (default true): drop the slot and publication on the source at the end. " +
      "reverse (default false): at the switch, create a publication and a slot on the target for a way back (POST /mirrors/{name}/cutover/reverse); needs wal_level = logical and REPLICATION on the target.",
  },
  ReverseRequest: { ...jsonSchema(reverseMirrorSchema), description: "name (default <mirror>_back): the reverse mirror's name." },
  CutoverStep: {
    type: "object",
    properties: {
      name: { type: "string", enum: [...CUTOVER_STEPS] },
      label: str,
      status: { type: "string", enum: [...CUTOVER_STEP_STATUSES] },
      output: nullable(str),
      detail: { description: "What the step recorded: fence grants, sequence results, the verification id…" },
      startedAt: time,
      finishedAt: time,
      durationMs: nullable({ type: "integer" }),
    },
  },
  Cutover: {
    type: "object",
    description: "A cutover attempt: steps preflight, fence, drain, sequences, objects, verify, finish. Before the switch (finish) an abort or a failing step restores the source's write privileges and the mirror keeps replicating; when done the mirror is `completed`.",
    properties: {
      id: { type: "string", format: "uuid" },
      status: { type: "string", enum: [...CUTOVER_STATUSES] },
      options: ref("CutoverRequest"),
      steps: { type: "array", items: ref("CutoverStep") },
      fencedAt: time,
      fenceLsn: nullable(str),
      fence: nullable({
        type: "object",
        description: "What the fence revoked (restored on abort or failure), who it could not fence, how many writing sessions it ended.",
        properties: { revoked: { type: "array", items: { type: "object" } }, notFenced: { type: "array", items: { type: "object" } }, terminated: { type: "integer" }, liftedAt: str, liftError: { type: "string", description: "Why lifting the fence failed; POST /mirrors/{name}/cutover/unfence retries it." } },
      }),
      switchedAt: time,
      startedAt: { type: "string", format: "date-time" },
      finishedAt: time,
      verificationId: nullable({ type: "string", format: "uuid" }),
      error: nullable(str),
      abortable: { type: "boolean" },
    },
  },
  SequenceSyncRequest: { ...jsonSchema(sequenceSyncSchema), description: "margin (default 0): added to each source value." },
  SequenceSyncResult: {
    type: "object",
    properties: {
      source: { ...str, description: "The source sequence, schema.name." },
      target: nullable(str),
      sourceValue: nullable({ type: "string", description: "last_value as text (bigint)." }),
      targetValue: nullable({ type: "string", description: "The target's last_value after the sync." }),
      status: { type: "string", enum: ["set", "ahead", "missing", "error"], description: "ahead: the target was already at or past the wanted value and is never moved back." },
      message: str,
    },
  },
};

export const cutoverApi = apiSection("cutover", "Switching an application from a mirror's source to its target; syncing sequences.", schemas, {
  "/mirrors/{name}/cutover": {
    get: {
      summary: "Get the latest cutover",
      operationId: "getCutover",
      parameters: [name],
      responses: { "200": jsonResponse("The latest cutover, or null.", { type: "object", properties: { cutover: nullable(ref("Cutover")) } }), ...errorResponses(404) },
    },
    post: {
      summary: "Start a cutover",
      description: "Moves a running CDC mirror to `cutover`; its worker runs the steps. Follow them in `GET /mirrors/{name}` (`cutover`). 409 unless the mirror is running.",
      operationId: "startCutover",
      parameters: [name],
      requestBody: jsonBody(ref("CutoverRequest"), undefined, false),
      responses: { "202": jsonResponse("Started.", ref("Cutover")), ...errorResponses(400, 404, 409) },
    },
    delete: {
      summary: "Abort the cutover",
      description: "Before the switch only: the worker restores the source's write privileges and the mirror goes back to running. 409 when no cutover runs or it already switched.",
      operationId: "abortCutover",
      parameters: [name],
      responses: { "202": jsonResponse("Abort requested (status aborting).", ref("Cutover")), ...errorResponses(404, 409) },
    },
  },
  "/mirrors/{name}/cutover/reverse": {
    post: {
      summary: "Create the reverse mirror (the way back)",
      description:
        "After a cutover done with reverse: true: creates a CDC mirror from the target back to the source, without initial load, starting at the slot the switch created on the target, " +
        "so every change the application makes on the target reaches the source exactly once. 409 when the cutover is not done, had no way back, or the reverse mirror exists.",
      operationId: "reverseCutover",
      parameters: [name],
      requestBody: jsonBody(ref("ReverseRequest"), undefined, false),
      responses: {
        "201": jsonResponse("Created; its worker starts replicating.", { type: "object", properties: { name: str, startLsn: str } }),
        ...errorResponses(400, 404, 409),
      },
    },
  },
  "/mirrors/{name}/cutover/unfence": {
    post: {
      summary: "Lift a stopped cutover's fence",
      description:
        "When a cutover stopped before the switch but its worker could not grant back the write privileges (cutover.fence.liftError), retries it: one GRANT per revoked privilege, answered when done. " +
        "409 when the source is not fenced, the cutover still runs, it is done (the source stays fenced on purpose), or the grants fail again (the message says why).",
      operationId: "unfenceCutover",
      parameters: [name],
      responses: { "200": jsonResponse("Lifted.", ref("Cutover")), ...errorResponses(404, 409) },
    },
  },
  "/mirrors/{name}/sequences/sync": {
    post: {
      summary: "Sync sequences",
      description:
        "Sets every target sequence of the mirror's tables (owned by their columns or used in their defaults) to the source's last_value + margin, never backwards; answers when done.",
      operationId: "syncSequences",
      parameters: [name],
      requestBody: jsonBody(ref("SequenceSyncRequest"), undefined, false),
      responses: {
        "200": jsonResponse("One result per source sequence.", { type: "object", properties: { sequences: { type: "array", items: ref("SequenceSyncResult") } } }),
        ...errorResponses(400, 404, 409),
      },
    },
  },
});
