import pg from "pg";
import { connectPeer } from "@/lib/peers/connect";
import { classifyConnectError, shouldRetryWithoutTls } from "@/lib/peers/connect-errors";
import { clientConfig, type PeerConnection } from "@/lib/peers/connection";
import { quoteIdent } from "./quote";

/**
 * Exported snapshots: the consistent view of the source that every partition of an initial load
 * reads. Other sessions join it with
 *   BEGIN ISOLATION LEVEL REPEATABLE READ; SET TRANSACTION SNAPSHOT '<snapshotName>';
 * The snapshot lives only while the session that exported it stays open (and, for a replication
 * connection, runs no other command), so `close()` is the end of the load's consistency window.
 */
export interface ExportedSnapshot {
  snapshotName: string;
  /** Ends the exporting session. Idempotent; never throws. */
  close(): Promise<void>;
}

export interface SlotSnapshot extends ExportedSnapshot {
  slotName: string;
  /** LSN (text, e.g. "0/1A2B3C8") from which the slot streams changes not in the snapshot. */
  consistentPoint: string;
}

/** Slot names PostgreSQL accepts: lower-case letters, digits and underscores, at most 63. */
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

export function assertSlotName(name: string): void {
  if (!SLOT_NAME.test(name)) {
    throw new Error(`invalid replication slot name ${JSON.stringify(name)}: use 1-63 lower-case letters, digits or underscores`);
  }
}

/**
 * CDC mode: creates logical replication slot `slotName` (pgoutput) and exports its snapshot, on a
 * replication connection that is kept open and idle until close(). The publication should exist
 * before (see ensurePublication): pgoutput looks publications up as of each change's time.
 *
 * Not idempotent: throws when the slot already exists (PostgreSQL error 42710) — a stale slot from
 * an earlier attempt has no usable snapshot; drop it first (dropSlot) if that is what you want.
 * Throws a PeerConnectError when the connection fails. Requires the REPLICATION privilege
 * and wal_level = logical on the source.
 */
export async function createSlotSnapshot(
  peer: PeerConnection,
  slotName: string,
  purpose = `snapshot:${slotName}`,
): Promise<SlotSnapshot> {
  assertSlotName(slotName);
  const client = await connectReplication(peer, purpose);
  try {
    const version = Number((await client.query<{ server_version_num: string }>("SHOW server_version_num")).rows[0].server_version_num);
    // PostgreSQL 15 replaced the bare EXPORT_SNAPSHOT keyword with an option list.
    const command =
      version >= 150000
        ? `CREATE_REPLICATION_SLOT ${quoteIdent(slotName)} LOGICAL pgoutput (SNAPSHOT 'export')`
        : `CREATE_REPLICATION_SLOT ${quoteIdent(slotName)} LOGICAL pgoutput EXPORT_SNAPSHOT`;
    const { rows } = await client.query<{ consistent_point: string; snapshot_name: string }>(command);
    return {
      slotName,
      snapshotName: rows[0].snapshot_name,
      consistentPoint: rows[0].consistent_point,
      close: closer(client),
    };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/**
 * Initial-copy-only mode: exports a snapshot from a REPEATABLE READ transaction that stays open
 * (and idle) until close(). Creates nothing on the source. Throws a PeerConnectError when the
 * connection fails.
 */
export async function exportSnapshot(peer: PeerConnection, purpose = "snapshot"): Promise<ExportedSnapshot> {
  const client = await connectPeer(peer, purpose);
  try {
    // The transaction is idle for the whole load: a server-side idle timeout would end it.
    await client.query("SET idle_in_transaction_session_timeout = 0");
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows } = await client.query<{ name: string }>("SELECT pg_export_snapshot() AS name");
    return { snapshotName: rows[0].name, close: closer(client) };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/**
 * Joins an exported snapshot: starts a REPEATABLE READ READ ONLY transaction on `client` (which
 * must be idle) that sees exactly what the snapshot saw. Throws a SnapshotGoneError when the
 * exporting session has ended or moved on.
 */
export async function beginInSnapshot(client: Pick<pg.ClientBase, "query">, snapshotName: string): Promise<void> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshotName.replaceAll("'", "''")}'`);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw new SnapshotGoneError(snapshotName, error);
  }
}

/** The exported snapshot can no longer be imported: the load must restart with a new snapshot. */
export class SnapshotGoneError extends Error {
  constructor(
    readonly snapshotName: string,
    cause: unknown,
  ) {
    super(`snapshot ${snapshotName} is no longer available (${(cause as Error)?.message ?? cause}); the initial load must restart with a new snapshot`);
    this.name = "SnapshotGoneError";
    Object.defineProperty(this, "cause", { value: cause, enumerable: false });
  }
}

/**
 * True for errors that mean "the exported snapshot is gone": the snapshot file was removed
 * because its session ended (22023 invalid snapshot identifier) or its transaction finished
 * (55000 could not import the requested snapshot). Looks through SnapshotGoneError and `cause`.
 */
export function isSnapshotGoneError(error: unknown): boolean {
  for (let e = error as { code?: string; routine?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e instanceof SnapshotGoneError) return true;
    if (e.routine === "ImportSnapshot") return true;
    if (/invalid snapshot identifier|could not import the requested snapshot/.test(e.message ?? "")) return true;
  }
  return false;
}

function closer(client: pg.Client): () => Promise<void> {
  let closed: Promise<void> | null = null;
  return () => (closed ??= client.end().catch(() => {}));
}

/** A walsender connection in database mode (it accepts replication commands and plain SQL). */
async function connectReplication(peer: PeerConnection, purpose: string): Promise<pg.Client> {
  const open = async (useTls: boolean) => {
    const config = { ...clientConfig(peer, purpose, useTls), replication: "database", keepAlive: true };
    const client = new pg.Client(config as pg.ClientConfig);
    // An idle connection that drops emits "error"; the snapshot is then gone, which the copy notices.
    client.on("error", () => {});
    try {
      await client.connect();
      return client;
    } catch (error) {
      void client.end().catch(() => {});
      throw error;
    }
  };
  try {
    if (peer.tlsMode === "prefer") {
      try {
        return await open(true);
      } catch (error) {
        if (!shouldRetryWithoutTls(error)) throw error;
        return await open(false);
      }
    }
    return await open(peer.tlsMode !== "disable");
  } catch (error) {
    throw classifyConnectError(error, peer);
  }
}
