/**
 * The one place that decides what an error met while talking to PostgreSQL means, keyed on SQLSTATE
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html) and on Node's connection error
 * codes, in the spirit of PeerDB's alerting classifier. Used by the web's peer checks (through
 * connectPeer's PeerConnectError), the mirror runner, partition copies and CDC. It answers:
 *
 * - "retry": the connection or the server had a moment (network, restart, failover, lock or
 *   serialization conflict, resources); the same work later is expected to succeed.
 * - "user": retrying cannot help, but we know what a person has to do: `fix` says it.
 * - "fatal": retrying cannot help and we do not know why (a bug, an unexpected error); `message`
 *   is all there is.
 *
 * Messages never include connection strings or passwords: they are built from the error's
 * message, code and the object names PostgreSQL reports (constraint, table, column).
 */
import { classifyConnectFailure, type ConnectTarget } from "@/lib/errors/classify-connect";
import { FixableError } from "@/lib/errors/fixable-error";
import { PeerConnectError } from "@/lib/errors/peer-connect-error";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";

export type ErrorKind = "retry" | "user" | "fatal";

export interface ClassifiedError {
  kind: ErrorKind;
  /** SQLSTATE, a Node network error code (e.g. "ECONNRESET"), a pgferry code (e.g. "peer_auth_failed"), or "unknown". */
  code: string;
  /** What happened, in plain words. */
  message: string;
  /** What to do about it, when we know. */
  fix?: string;
  /** The peer form's fields at fault (e.g. ["host", "port"]), for connection failures. */
  fields?: string[];
  /** Set when the only way forward is a new initial load (e.g. the slot lost WAL). */
  resyncNeeded?: boolean;
}

/** The fields of node-postgres's DatabaseError that classification reads. */
interface PgErrorLike {
  code?: string;
  message?: string;
  constraint?: string;
  table?: string;
  schema?: string;
  column?: string;
  detail?: string;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/** SQLSTATEs outside the transient classes below that are still worth retrying. */
const TRANSIENT_CODES = new Set([
  "57P01", // admin_shutdown: server stopping or our backend was terminated
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up / recovering
  "57P05", // idle_session_timeout
  "57014", // query_canceled (statement_timeout, pg_cancel_backend)
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "55P03", // lock_not_available
  "55006", // object_in_use: e.g. the replication slot is still held by a previous session
  "25P04", // transaction_timeout (PG17+)
]);

/** Connection-level messages node-postgres produces without a SQLSTATE. */
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /connection timeout/i,
  /timeout expired/i,
  /not queryable/i,
  /socket hang up/i,
  /server closed the connection/i,
  /terminating connection/i,
];

const SLOT_LOST = [
  /can no longer get changes from replication slot/i,
  /this slot has been invalidated/i,
  /requested WAL segment .* has already been removed/i,
  /cannot read from logical replication slot .* invalidated/i,
];

export interface ClassifyContext {
  /** The peer being connected to: classifies the error as a failed connection attempt to it. */
  connecting?: ConnectTarget;
}

/**
 * Classifies anything thrown while talking to PostgreSQL (or the catalog). Pure; never throws.
 * A PeerConnectError or a FixableError already carries its classification, which is returned.
 */
export function classifyError(error: unknown, context: ClassifyContext = {}): ClassifiedError {
  if (error instanceof PeerConnectError) return error.classified;
  if (error instanceof FixableError) {
    return { kind: "user", code: error.code, message: error.message, fix: error.fix, ...(error.resyncNeeded ? { resyncNeeded: true } : {}) };
  }
  // The catalog's own hiccups (a restart, a lost connection, a row changed under us) pass; the next step re-reads.
  if (/^PrismaClient/.test((error as Error)?.constructor?.name ?? "")) {
    return { kind: "retry", code: "catalog", message: `The catalog could not be read or written: ${(error as Error).message.split("\n").pop()}` };
  }
  const err = (typeof error === "object" && error !== null ? error : { message: String(error) }) as PgErrorLike;
  const peer = context.connecting;
  if (peer) {
    const failed = classifyConnectFailure(err, peer);
    if (failed) return failed;
    // Anything else the server said to a connection attempt: its general meaning, in the peer's words.
    const general = classifyError(error);
    const text = typeof err.message === "string" ? err.message : String(error);
    return { ...general, code: "peer_connect_failed", message: `Could not connect to ${peer.host}:${peer.port}: ${text}` };
  }
  const code = typeof err.code === "string" && err.code !== "" ? err.code : "unknown";
  const text = typeof err.message === "string" ? err.message : String(error);

  if (SLOT_LOST.some((pattern) => pattern.test(text))) {
    return {
      kind: "user",
      code,
      message: `The replication slot can no longer provide changes: ${text}`,
      fix: "The source removed WAL the slot still needed (e.g. max_slot_wal_keep_size was exceeded while the mirror was stopped or too slow). Resync the mirror: it creates a new slot and copies the tables again. To prevent it, keep the mirror running or raise max_slot_wal_keep_size on the source.",
      resyncNeeded: true,
    };
  }

  if (NETWORK_CODES.has(code) || (code === "unknown" && TRANSIENT_MESSAGES.some((pattern) => pattern.test(text)))) {
    return { kind: "retry", code, message: `Connection problem: ${text}` };
  }
  if (code.startsWith("08")) return { kind: "retry", code, message: `Connection problem: ${text}` };
  if (code.startsWith("53")) {
    return {
      kind: "retry",
      code,
      message: `The server is short of resources: ${text}`,
      fix: code === "53100" ? "Free disk space on the server." : code === "53300" ? "Raise max_connections or close idle sessions." : undefined,
    };
  }
  if (TRANSIENT_CODES.has(code)) return { kind: "retry", code, message: text };

  return needsAPerson(code, text, err);
}

/** Errors retrying cannot fix: "user" with the fix where we know one, else "fatal". */
function needsAPerson(code: string, text: string, err: PgErrorLike): ClassifiedError {
  const table = err.table ? (err.schema ? quoteQualified(err.schema, err.table) : quoteIdent(err.table)) : null;
  const base = { kind: "user" as const, code };
  switch (code) {
    case "23505": {
      const constraint = err.constraint ? quoteIdent(err.constraint) : "the constraint";
      const where = table ?? "the target table";
      return {
        ...base,
        message: `Unique constraint ${constraint} on ${where} rejected a replicated row: ${text}${err.detail ? ` (${err.detail})` : ""}`,
        fix:
          `The target has a unique constraint or index the source does not enforce the same way, or the target has rows the source does not. ` +
          `Drop it now and re-add it at cutover: ALTER TABLE ${where} DROP CONSTRAINT ${constraint}; ` +
          `(for a unique index: DROP INDEX ${err.schema ? `${quoteIdent(err.schema)}.` : ""}${constraint};). ` +
          `If it is the primary key, the target has diverged from the source: resync the table.`,
      };
    }
    case "23502":
      return {
        ...base,
        message: `A replicated row has no value for NOT NULL column ${err.column ? quoteIdent(err.column) : "?"} on ${table ?? "the target"}: ${text}`,
        fix: `Allow NULL on the target until cutover: ALTER TABLE ${table ?? "<table>"} ALTER COLUMN ${err.column ? quoteIdent(err.column) : "<column>"} DROP NOT NULL;`,
      };
    case "23503":
      return {
        ...base,
        message: `Foreign key ${err.constraint ? quoteIdent(err.constraint) : ""} on ${table ?? "the target"} rejected a replicated row: ${text}`,
        fix: `Replication applies tables independently, so foreign keys belong to cutover. Drop it now and re-add it at cutover: ALTER TABLE ${table ?? "<table>"} DROP CONSTRAINT ${err.constraint ? quoteIdent(err.constraint) : "<constraint>"};`,
      };
    case "23514":
    case "23P01":
      return {
        ...base,
        message: `Constraint ${err.constraint ? quoteIdent(err.constraint) : ""} on ${table ?? "the target"} rejected a replicated row: ${text}`,
        fix: `Drop it now and re-add it at cutover: ALTER TABLE ${table ?? "<table>"} DROP CONSTRAINT ${err.constraint ? quoteIdent(err.constraint) : "<constraint>"};`,
      };
    case "42P01":
      return { ...base, message: `A table is missing on the target: ${text}`, fix: "Create the table on the target (resync the table to let pgferry create it)." };
    case "42703":
      return { ...base, message: `A column is missing: ${text}`, fix: "Add the column on the target with the source's type, or exclude it from the mirror." };
    case "42704":
      if (/replication slot/i.test(text)) {
        return { ...base, message: `The replication slot is gone: ${text}`, fix: "Someone dropped the slot on the source. Resync the mirror to create a new one.", resyncNeeded: true };
      }
      if (/publication/i.test(text)) {
        return { ...base, message: `The publication is gone: ${text}`, fix: "Someone dropped the publication on the source. Resync the mirror to create it again.", resyncNeeded: true };
      }
      return { ...base, message: `An object is missing: ${text}`, fix: "Create the missing type or object on the target." };
    case "22P02":
      if (/enum/i.test(text)) {
        return { ...base, message: `The target enum type lacks a label: ${text}`, fix: "Add the label on the target: ALTER TYPE <type> ADD VALUE '<label>';" };
      }
      return { ...base, message: `A value was rejected by the target's column type: ${text}`, fix: "Make the target column's type match the source's." };
    case "42804":
    case "42846":
      return { ...base, message: `Source and target column types differ: ${text}`, fix: "Change the target column to the source's type (ALTER TABLE … ALTER COLUMN … TYPE …)." };
    case "22001":
    case "22003":
      return { ...base, message: `A value does not fit the target column: ${text}`, fix: "Widen the target column to match the source (ALTER TABLE … ALTER COLUMN … TYPE …)." };
    case "42501":
      return { ...base, message: `Permission denied: ${text}`, fix: "Grant the peer's user the privilege named in the message (on the source: REPLICATION and SELECT; on the target: INSERT, UPDATE, DELETE, TRUNCATE and CREATE on schema _pgferry)." };
    case "28P01":
    case "28000":
      return { ...base, message: `Sign-in refused: ${text}`, fix: "Check the peer's user, password and the server's pg_hba.conf." };
    case "3D000":
      return { ...base, message: `Database does not exist: ${text}`, fix: "Check the peer's database name." };
    case "25006":
      return { ...base, message: `The target is read-only: ${text}`, fix: "Point the target peer at a writable primary (not a standby) and check default_transaction_read_only." };
    case "55000":
      return { ...base, message: text, fix: "Check the source's logical replication setup (wal_level = logical, slot and publication)." };
    default:
      return { kind: "fatal", code, message: text };
  }
}
