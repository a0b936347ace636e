import { z } from "zod";
import { apiSection, errorResponses, jsonBody, type JsonSchema, jsonResponse, pathParam, ref } from "@/lib/web/api/openapi/helpers";
import { verifyRequestSchema } from "@/lib/web/mirrors/verify";

/** The verification routes (app/api/v1/mirrors/{name}/verify, …/verifications); shapes of lib/web/mirrors/verify.ts. */

const { $schema: _dialect, ...requestBody } = z.toJSONSchema(verifyRequestSchema, { io: "input", unrepresentable: "any" });

const str = { type: "string" };
const int = { type: "integer" };
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: "null" }] });
const name = pathParam("name", "The mirror's name.");
const id = pathParam("id", "The verification's id.", { type: "string", format: "uuid" });

const summaryProperties: Record<string, JsonSchema> = {
  id: { type: "string", format: "uuid" },
  status: { type: "string", enum: ["running", "passed", "failed", "error", "cancelled"] },
  startedAt: { type: "string", format: "date-time" },
  finishedAt: nullable({ type: "string", format: "date-time" }),
  error: nullable(str),
  progress: {
    type: "object",
    properties: {
      tablesDone: int,
      tablesTotal: int,
      chunksDone: int,
      chunksTotal: int,
      rowsCompared: int,
      differences: int,
      etaSeconds: nullable(int),
    },
  },
};

const schemas: Record<string, JsonSchema> = {
  VerifyRequest: { ...requestBody, description: 'Tables to verify as "schema.table" (source names); all of the mirror\'s when left out.' },
  VerificationSummary: { type: "object", properties: summaryProperties },
  VerificationDifference: {
    type: "object",
    required: ["kind", "key"],
    properties: {
      kind: { type: "string", enum: ["missing", "extra", "changed"], description: "missing: on the source only; extra: on the target only; changed: other values." },
      key: {
        type: "object",
        additionalProperties: nullable(str),
        description: "The row's primary key, each column's value in PostgreSQL's text form; every column for a table without a primary key.",
      },
    },
  },
  VerificationTable: {
    type: "object",
    properties: {
      source: str,
      target: str,
      status: { type: "string", enum: ["equal", "different", "error", "pending"] },
      state: { type: "string", enum: ["pending", "running", "equal", "different", "error", "cancelled"] },
      sourceRows: int,
      targetRows: int,
      differences: int,
      examples: { type: "array", maxItems: 100, items: ref("VerificationDifference") },
      chunksDone: int,
      chunksTotal: int,
      error: nullable(str),
    },
  },
  Verification: {
    type: "object",
    description: "A verification run: each table compared between source and target, key by key.",
    properties: { ...summaryProperties, tables: { type: "array", items: ref("VerificationTable") } },
  },
};

export const verifyApi = apiSection("verifications", "Exact comparisons of a mirror's source and target tables, also while CDC runs.", schemas, {
  "/mirrors/{name}/verify": {
    post: {
      summary: "Start a verification",
      description: "Queues a comparison of the chosen tables (all when `tables` is left out). Refused with 409 while the initial load runs or another verification of the mirror is running.",
      operationId: "startVerification",
      parameters: [name],
      requestBody: jsonBody(ref("VerifyRequest"), undefined, false),
      responses: {
        "202": jsonResponse("Started.", { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } }),
        ...errorResponses(400, 404, 409),
        "503": jsonResponse("No worker has started on this catalog yet.", ref("Error")),
      },
    },
  },
  "/mirrors/{name}/verifications": {
    get: {
      summary: "List verifications",
      operationId: "listVerifications",
      parameters: [name, { name: "limit", in: "query", required: false, description: "Default: 20, at most 200.", schema: { type: "integer" } }],
      responses: {
        "200": jsonResponse("Newest first.", { type: "object", properties: { verifications: { type: "array", items: ref("VerificationSummary") } } }),
        ...errorResponses(404),
      },
    },
  },
  "/mirrors/{name}/verifications/{id}": {
    get: {
      summary: "Get a verification",
      operationId: "getVerification",
      parameters: [name, id],
      responses: { "200": jsonResponse("The run with each table's result and up to 100 example differences per table.", ref("Verification")), ...errorResponses(404) },
    },
    delete: {
      summary: "Cancel a verification",
      operationId: "cancelVerification",
      parameters: [name, id],
      responses: { "200": jsonResponse("The run afterwards (cancelled).", ref("Verification")), ...errorResponses(404, 409) },
    },
  },
});
