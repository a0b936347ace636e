import { z } from "zod";
import {
  apiSection,
  errorResponses,
  jsonBody,
  type JsonSchema,
  jsonResponse,
  pathParam,
  ref,
} from "@/lib/web/api/openapi/helpers";
import { peerConnectionSchema, peerCreateSchema, peerUpdateSchema, TLS_MODES } from "@/lib/peers/input";
import { CHECK_LABELS } from "@/lib/web/peers/validate-checks";

/** Request bodies come from the zod schemas the server parses with, so the document cannot drift from them. */
function fromZod(schema: z.ZodType, description: string): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return { ...rest, description };
}

const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: "null" }] });
const str = { type: "string" };
const int = { type: "integer" };
const bool = { type: "boolean" };
const dateTime = { type: "string", format: "date-time" };
const obj = (properties: Record<string, JsonSchema>, description?: string, required = Object.keys(properties)): JsonSchema => ({
  type: "object",
  ...(description ? { description } : {}),
  required,
  properties,
});

const name = pathParam("name", "The peer's name.", { type: "string", pattern: "^[a-z_][a-z0-9_]{0,62}$" });

const schemas: Record<string, JsonSchema> = {
  PeerCreate: fromZod(peerCreateSchema, "A new peer. `password` may be empty for servers that use trust authentication."),
  PeerUpdate: fromZod(
    peerUpdateSchema,
    "Any subset of a peer's fields. An empty or absent `password` keeps the stored one, except when the edit changes the host, port, user or database or turns on `allowCleartextPassword` (400 at `password`); an empty `caCert` removes it.",
  ),
  PeerConnectionInput: fromZod(peerConnectionSchema, "Connection details to check without saving them."),
  Peer: obj(
    {
      id: { type: "string", format: "uuid" },
      name: str,
      host: str,
      port: int,
      database: str,
      user: str,
      tlsMode: { type: "string", enum: [...TLS_MODES] },
      caCert: nullable(str),
      allowCleartextPassword: { type: "boolean", description: "Whether the password may be sent in clear text on a connection without TLS." },
      serverVersion: nullable({ type: "string", description: "Seen by the last validation, e.g. 18.1." }),
      lastValidation: nullable(ref("StoredValidation")),
      validatedAt: nullable(dateTime),
      createdAt: dateTime,
      updatedAt: dateTime,
      mirrors: { type: "array", items: str, description: "Names of the mirrors whose source or target this peer is." },
    },
    "A saved peer. Never contains the password.",
  ),
  PeerCheck: obj(
    {
      id: { type: "string", enum: Object.keys(CHECK_LABELS) },
      label: str,
      status: { type: "string", enum: ["pass", "warn", "fail"] },
      message: { type: "string", description: "What was found." },
      fix: { type: "string", description: "What to do, when the check did not pass." },
    },
    undefined,
    ["id", "label", "status", "message"],
  ),
  StoredValidation: obj(
    {
      ok: { type: "boolean", description: "False only when pgferry cannot connect at all." },
      checks: { type: "array", items: ref("PeerCheck") },
      usableAsTarget: bool,
      usableAsCdcSource: { type: "boolean", description: "Every check passed." },
      serverVersion: str,
      serverVersionNum: int,
      tls: { type: "boolean", description: "Whether the validation connection was encrypted." },
      durationMs: int,
    },
    "The result of validating a peer.",
    ["ok", "checks", "usableAsTarget", "usableAsCdcSource", "durationMs"],
  ),
  Validation: {
    allOf: [
      ref("StoredValidation"),
      {
        type: "object",
        properties: {
          error: {
            ...obj({ code: str, message: str, fields: { type: "object", additionalProperties: str } }, undefined, ["code", "message"]),
            description: "Why pgferry could not connect (when ok is false).",
          },
          warnings: {
            type: "array",
            description: "What does not stop saving, e.g. another peer already points at the same host, port and database.",
            items: obj({ code: { type: "string", enum: ["peer_same_database"] }, message: str, fix: str, peers: { type: "array", items: str } }, undefined, [
              "code",
              "message",
              "fix",
              "peers",
            ]),
          },
        },
      },
    ],
  },
  SavedPeer: obj({ peer: ref("Peer"), validation: ref("Validation") }, "The saved peer and the validation that ran before saving."),
  ServerInfo: obj({
    version: str,
    versionNum: int,
    versionText: str,
    database: str,
    databaseBytes: int,
    walLevel: str,
    inRecovery: bool,
    replicationSlots: obj({ used: int, max: int }),
    walSenders: obj({ used: int, max: int }),
  }),
  PeerColumn: obj({
    name: str,
    position: int,
    type: { type: "string", description: "As format_type() prints it, e.g. numeric(12,2)." },
    nullable: bool,
    generated: bool,
    identity: nullable({ type: "string", enum: ["always", "by default"] }),
  }),
  PeerTable: obj({
    schema: str,
    name: str,
    kind: { type: "string", enum: ["table", "partitioned"] },
    partitions: nullable(int),
    estimatedRows: nullable(int),
    totalBytes: int,
    primaryKey: { type: "array", items: str },
    replicaIdentity: { type: "string", enum: ["default", "full", "nothing", "index"] },
    replicaIdentityIndex: nullable(str),
    unlogged: bool,
    canSelect: bool,
    columns: { type: "array", items: ref("PeerColumn") },
  }),
  TableListing: obj({ schemas: { type: "array", items: str }, tables: { type: "array", items: ref("PeerTable") } }),
  PeerSession: obj({
    pid: int,
    applicationName: str,
    database: nullable(str),
    backendType: str,
    state: nullable(str),
    durationMs: int,
    waitEventType: nullable(str),
    waitEvent: nullable(str),
    query: nullable(str),
    backendStart: dateTime,
    queryStart: nullable(dateTime),
    self: { type: "boolean", description: "The session that answered this request." },
  }),
  PeerActivity: obj({ sessions: { type: "array", items: ref("PeerSession") }, observedAt: dateTime }),
  ReplicationSlot: obj({
    name: str,
    plugin: nullable(str),
    slotType: { type: "string", enum: ["logical", "physical"] },
    database: nullable(str),
    active: bool,
    activePid: nullable(int),
    temporary: bool,
    restartLsn: nullable(str),
    confirmedFlushLsn: nullable(str),
    restartLagBytes: nullable({ type: "integer", description: "WAL the server keeps for this slot." }),
    confirmedLagBytes: nullable({ type: "integer", description: "Changes not yet confirmed by the consumer." }),
    walStatus: nullable(str),
    safeWalSize: nullable(int),
    invalidationReason: nullable(str),
  }),
  PeerSlots: obj({ slots: { type: "array", items: ref("ReplicationSlot") } }),
  Publication: obj({
    name: str,
    owner: str,
    allTables: bool,
    operations: obj({ insert: bool, update: bool, delete: bool, truncate: bool }),
    tables: { type: "array", items: obj({ schema: str, name: str }) },
  }),
  PeerPublications: obj({ publications: { type: "array", items: ref("Publication") } }),
  TargetTable: obj({
    schema: str,
    name: str,
    exists: bool,
    rows: nullable({ type: "integer", description: "0 when the table does not exist; null when it has rows but how many is unknown." }),
    exact: { type: "boolean", description: "Counted (small tables) rather than the planner's estimate." },
    ownedBy: nullable({ type: "string", description: "A mirror that writes this table (not completed, table not removed)." }),
  }),
  PeerTargetTables: obj({ tables: { type: "array", items: ref("TargetTable") } }),
};

const live = (summary: string, operationId: string, schema: string, description: string) => ({
  get: {
    summary,
    description: `${description} Asked live: pgferry opens one session to the peer (application_name "pgferry:ui:…") and closes it.`,
    operationId,
    parameters: [name],
    responses: { "200": jsonResponse(summary, ref(schema)), ...errorResponses(404, 422, 502, 504) },
  },
});

export const peersApi = apiSection("peers", "Saved connections to PostgreSQL databases.", schemas, {
  "/peers": {
    get: {
      summary: "List peers",
      operationId: "listPeers",
      responses: {
        "200": jsonResponse("Every peer, by name.", obj({ peers: { type: "array", items: ref("Peer") } })),
        ...errorResponses(),
      },
    },
    post: {
      summary: "Create a peer",
      description:
        "Validates the details against the server, then saves. Refused (422, message at the field at fault) only when pgferry cannot connect; " +
        "a peer that fails other checks (e.g. wal_level is not logical) is saved and the checks say so.",
      operationId: "createPeer",
      requestBody: jsonBody(ref("PeerCreate")),
      responses: { "201": jsonResponse("Saved.", ref("SavedPeer")), ...errorResponses(400, 409, 422) },
    },
  },
  "/peers/validate": {
    post: {
      summary: "Validate unsaved connection details",
      description: "Runs every check (reachable, sign-in, database, version, wal_level, REPLICATION, free slots and WAL senders). Saves nothing.",
      operationId: "validateConnection",
      requestBody: jsonBody(ref("PeerConnectionInput")),
      responses: { "200": jsonResponse("The checks; `ok` is false when pgferry cannot connect.", ref("Validation")), ...errorResponses(400) },
    },
  },
  "/peers/{name}": {
    get: {
      summary: "Get a peer",
      operationId: "getPeer",
      parameters: [name],
      responses: { "200": jsonResponse("The peer.", ref("Peer")), ...errorResponses(404) },
    },
    patch: {
      summary: "Edit a peer",
      description: "Applies the edit, revalidates and saves; refused like create when pgferry cannot connect. An empty password keeps the stored one.",
      operationId: "updatePeer",
      parameters: [name],
      requestBody: jsonBody(ref("PeerUpdate")),
      responses: { "200": jsonResponse("Saved.", ref("SavedPeer")), ...errorResponses(400, 404, 409, 422) },
    },
    delete: {
      summary: "Delete a peer",
      description: "Refused with 409 `peer_in_use` while a mirror uses the peer. Nothing on the peer's server is touched.",
      operationId: "deletePeer",
      parameters: [name],
      responses: { "204": { description: "Deleted." }, ...errorResponses(404, 409) },
    },
  },
  "/peers/{name}/validate": {
    post: {
      summary: "Validate a saved peer",
      description:
        "Without a body (or with `{}`), validates the peer as saved and records the result. With an edit (PeerUpdate), validates the edited details " +
        "without saving anything; an empty password means the stored one.",
      operationId: "revalidatePeer",
      parameters: [name],
      requestBody: jsonBody(ref("PeerUpdate"), "Optional unsaved edit.", false),
      responses: { "200": jsonResponse("The checks.", ref("Validation")), ...errorResponses(400, 404) },
    },
  },
  "/peers/{name}/server": live("Server facts", "peerServer", "ServerInfo", "Version, database size, wal_level, replication slots and WAL senders in use."),
  "/peers/{name}/tables": live(
    "Schemas and tables",
    "peerTables",
    "TableListing",
    "User schemas and tables with estimated rows, size, primary key, replica identity and columns.",
  ),
  "/peers/{name}/activity": live(
    "Running commands",
    "peerActivity",
    "PeerActivity",
    "pgferry's sessions on the peer's server (pg_stat_activity), including the one answering (marked self).",
  ),
  "/peers/{name}/target-tables": live(
    "Tables as a target",
    "peerTargetTables",
    "PeerTargetTables",
    "Every user table with its row count (exact up to 8 MiB), and the mirror that writes it; tables mirrors write that do not exist yet are listed with exists false.",
  ),
  "/peers/{name}/slots": live("Replication slots", "peerSlots", "PeerSlots", "Every replication slot on the server, with lag in bytes and wal_status."),
  "/peers/{name}/publications": live("Publications", "peerPublications", "PeerPublications", "Publications in the peer's database with their tables."),
});
