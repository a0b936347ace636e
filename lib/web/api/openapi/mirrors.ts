import { z } from "zod";
import { apiSection, errorResponses, jsonBody, type JsonSchema, jsonResponse, pathParam, ref } from "@/lib/web/api/openapi/helpers";
import { mirrorCreateSchema } from "@/lib/mirrors/input";
import { EDITABLE_SETTINGS, mirrorEditSchema } from "@/lib/web/mirrors/edit";

/**
 * The mirror routes as they exist in app/api/v1/mirrors. Response schemas list the main fields of
 * lib/web/mirrors/views.ts (MirrorSummary, MirrorDetail, …); objects may carry more.
 */

const { $schema: _dialect, ...createBody } = z.toJSONSchema(mirrorCreateSchema, { io: "input", unrepresentable: "any" });
const { $schema: _editDialect, ...editBody } = z.toJSONSchema(mirrorEditSchema, { io: "input", unrepresentable: "any" });

const str = { type: "string" };
const int = { type: "integer" };
const num = { type: "number" };
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: "null" }] });
const name = pathParam("name", "The mirror's name.");

const summaryProperties: Record<string, JsonSchema> = {
  name: str,
  status: { type: "string", description: "setup | initial_load | running | paused | completed | failed | deleting" },
  statusLabel: str,
  mode: { type: "string", enum: ["cdc", "initial_load_only"] },
  source: { type: "string", description: "Source peer name." },
  target: { type: "string", description: "Target peer name." },
  tableCount: int,
  rowsCopied: int,
  rowsEstimated: int,
  rowsSynced: int,
  lagBytes: nullable(int),
  lagSeconds: nullable(num),
  errorMessage: nullable(str),
  createdAt: { type: "string", format: "date-time" },
};

const schemas: Record<string, JsonSchema> = {
  MirrorCreate: { ...createBody, description: "A new mirror: source and target peers, mode, tables and optional settings." },
  MirrorEdit: {
    ...editBody,
    description:
      `Changes to a mirror. settings: only ${EDITABLE_SETTINGS.join(", ")} may change (CDC batch settings apply to the running session within seconds; copy settings to the next load). ` +
      "tables: the full new list (as at creation); tables left out are removed from a CDC mirror (target tables kept unless dropTargetTables); new tables are checked as at creation and copied from their own snapshot while the other tables keep streaming (table sync `add`), then replicate with them. name, source, target and mode cannot change.",
  },
  MirrorSummary: { type: "object", properties: summaryProperties },
  MirrorTable: {
    type: "object",
    properties: {
      source: str,
      target: str,
      excludeColumns: { type: "array", items: str },
      status: str,
      rowsCopied: int,
      rowsEstimated: int,
      partitionsDone: int,
      partitionsTotal: int,
      inserts: int,
      updates: int,
      deletes: int,
      sync: nullable({
        type: "object",
        description: "Set while the table is added or resynced on its own beside the mirror's stream.",
        properties: { kind: { type: "string", enum: ["add", "resync"] }, phase: { type: "string", enum: ["queued", "copying", "catching_up"] } },
      }),
    },
  },
  ResyncRequest: {
    type: "object",
    description: "No body: the whole mirror. tables: only these source tables, each copied again into a shadow table and swapped in while the others keep streaming (CDC mirrors, running or paused).",
    properties: { tables: { type: "array", items: str, minItems: 1 } },
  },
  MirrorDetail: {
    type: "object",
    description: "A mirror with its settings, initial-load progress, per-table progress and CDC state.",
    properties: {
      ...summaryProperties,
      settings: { type: "object" },
      publicationName: str,
      slotName: str,
      progress: { type: "object", properties: { percent: num, rowsPerSecond: nullable(num), etaSeconds: nullable(num), averagePartitionMs: nullable(num) } },
      tables: { type: "array", items: ref("MirrorTable") },
      cdc: nullable({ type: "object", properties: { lagBytes: nullable(int), lagSeconds: nullable(num), lastAppliedLsn: nullable(str) } }),
      owner: nullable({ type: "object", properties: { workerId: str, online: { type: "boolean" } } }),
      cutover: nullable(ref("Cutover")),
    },
  },
};

const lifecycle = (summary: string, operationId: string, description: string) => ({
  post: {
    summary,
    description,
    operationId,
    parameters: [name],
    responses: { "200": jsonResponse("The mirror afterwards.", ref("MirrorDetail")), ...errorResponses(404, 409) },
  },
});

export const mirrorsApi = apiSection("mirrors", "Copies of tables from a source peer to a target peer, kept in sync by CDC.", schemas, {
  "/mirrors": {
    get: {
      summary: "List mirrors",
      operationId: "listMirrors",
      responses: {
        "200": jsonResponse("Every mirror with status, tables, rows synced and lag.", {
          type: "object",
          properties: { mirrors: { type: "array", items: ref("MirrorSummary") } },
        }),
        ...errorResponses(),
      },
    },
    post: {
      summary: "Create a mirror",
      description: "Checks the peers and tables, then creates the mirror; a worker sets it up.",
      operationId: "createMirror",
      requestBody: jsonBody(ref("MirrorCreate")),
      responses: { "201": jsonResponse("Created.", ref("MirrorDetail")), ...errorResponses(400, 404, 409, 422) },
    },
  },
  "/mirrors/{name}": {
    get: {
      summary: "Get a mirror",
      operationId: "getMirror",
      parameters: [name],
      responses: { "200": jsonResponse("Status, per-table progress, CDC lag and counters.", ref("MirrorDetail")), ...errorResponses(404) },
    },
    patch: {
      summary: "Edit a mirror",
      description: "Changes settings or removes tables while the mirror runs; the worker that owns it applies the change within seconds. 409 for what cannot change.",
      operationId: "editMirror",
      parameters: [name],
      requestBody: jsonBody(ref("MirrorEdit")),
      responses: { "202": jsonResponse("Accepted; the mirror as it is now.", ref("MirrorDetail")), ...errorResponses(400, 404, 409) },
    },
    delete: {
      summary: "Delete a mirror",
      description: "Stops the mirror and drops what pgferry created on the source (slot, publication); target tables are kept.",
      operationId: "deleteMirror",
      parameters: [name],
      responses: {
        "202": jsonResponse("Deleting.", { type: "object", properties: { status: { type: "string", enum: ["deleting"] } } }),
        ...errorResponses(404, 409),
      },
    },
  },
  "/mirrors/{name}/pause": lifecycle("Pause a mirror", "pauseMirror", "Stops applying changes; the source keeps WAL meanwhile."),
  "/mirrors/{name}/resume": lifecycle("Resume a mirror", "resumeMirror", "Continues applying changes where they stopped."),
  "/mirrors/{name}/resync": {
    post: {
      ...lifecycle(
        "Resync a mirror or some of its tables",
        "resyncMirror",
        "No body: empties the target tables and copies them again from a new snapshot; CDC then continues from its end (for a diverged target or an invalidated slot). " +
          "With tables: copies just those again from their own snapshot into shadow tables swapped in at the end, while the other tables keep streaming.",
      ).post,
      requestBody: { required: false, content: { "application/json": { schema: ref("ResyncRequest") } } },
    },
  },
  "/mirrors/{name}/events": {
    get: {
      summary: "A mirror's log",
      operationId: "mirrorEvents",
      parameters: [
        name,
        { name: "limit", in: "query", required: false, description: "Events per page. Default: 200; at most 1000.", schema: { type: "integer" } },
        { name: "level", in: "query", required: false, description: 'Comma-separated levels to keep, e.g. "warn,error". Default: all.', schema: { type: "string" } },
        { name: "q", in: "query", required: false, description: "Case-insensitive text the message contains.", schema: { type: "string" } },
        { name: "before", in: "query", required: false, description: "Only events older than this event id (the previous page's nextBefore).", schema: { type: "string" } },
      ],
      responses: {
        "200": jsonResponse("Newest first.", {
          type: "object",
          properties: {
            events: {
              type: "array",
              items: { type: "object", properties: { id: str, level: str, message: str, detail: {}, createdAt: { type: "string", format: "date-time" } } },
            },
            total: { ...int, description: "Events matching the filters, on every page." },
            nextBefore: { ...nullable(str), description: "before for the next, older page; null on the last page." },
          },
        }),
        ...errorResponses(400, 404),
      },
    },
  },
  "/mirrors/{name}/throughput": {
    get: {
      summary: "CDC throughput over time",
      operationId: "mirrorThroughput",
      parameters: [name, { name: "range", in: "query", required: false, description: 'Default: "1h". Buckets: 1 min for 1h, 15 min for 24h, 2 h for 7d.', schema: { type: "string", enum: ["1h", "24h", "7d"] } }],
      responses: {
        "200": jsonResponse("Inserts, updates and deletes applied per bucket, oldest first; empty buckets are zeros.", {
          type: "object",
          properties: {
            range: str,
            bucketSeconds: int,
            buckets: { type: "array", items: { type: "object", properties: { start: { type: "string", format: "date-time" }, inserts: int, updates: int, deletes: int } } },
          },
        }),
        ...errorResponses(400, 404),
      },
    },
  },
  "/mirrors/{name}/batches": {
    get: {
      summary: "Recent CDC batches",
      operationId: "mirrorBatches",
      parameters: [name],
      responses: {
        "200": jsonResponse("Recent batches and rows per minute over the last hour.", {
          type: "object",
          properties: {
            recent: { type: "array", items: { type: "object" } },
            perMinute: { type: "array", items: { type: "object", properties: { minute: str, rows: int } } },
          },
        }),
        ...errorResponses(404),
      },
    },
  },
});
