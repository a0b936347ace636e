import type pg from "pg";
import { SnapshotGoneError, TableRewrittenError } from "@/lib/errors/snapshot-gone";
import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { quoteLiteral, quoteQualified } from "./quote";
import { assertSlotName, createSlotWithSnapshot } from "./replication";

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

/** Options of createSlotSnapshot/exportSnapshot; a plain string there is taken as `purpose`. */
export interface SnapshotOptions {
  /** application_name purpose. Default: "snapshot:<slot>" or "snapshot". */
  purpose?: string;
  /**
   * Tables to hold an ACCESS SHARE lock on from before the snapshot until close(). TRUNCATE,
   * VACUUM FULL, CLUSTER and rewriting ALTER TABLEs are not MVCC-safe: committed after the snapshot,
   * they would show later readers of that snapshot an empty or reshuffled table. The lock makes
   * them wait until the load is done instead (plain writes are not blocked). Default: none.
   */
  lockTables?: QualifiedName[];
  /** How long to wait for those locks. Default: LOCK_TIMEOUT_MS. */
  lockTimeoutMs?: number;
}

/** Default: 30 seconds to get the shared locks (a running DDL statement may hold them up). */
export const LOCK_TIMEOUT_MS = 30_000;

/**
 * CDC mode: creates logical replication slot `slotName` (pgoutput) and exports its snapshot, on a
 * replication connection that is kept open and idle until close(). The publication should exist
 * before (see ensurePublication): pgoutput looks publications up as of each change's time.
 * With `lockTables`, a second (normal) session takes the locks first and holds them until close().
 *
 * Not idempotent: throws when the slot already exists (PostgreSQL error 42710) — a stale slot from
 * an earlier attempt has no usable snapshot; drop it first (dropSlot) if that is what you want.
 * Throws a PeerConnectError when a connection fails, PostgreSQL's 55P03 when the locks are not
 * granted in time. Requires the REPLICATION privilege and wal_level = logical on the source.
 */
export async function createSlotSnapshot(
  peer: PeerConnection,
  slotName: string,
  optionsOrPurpose: SnapshotOptions | string = {},
): Promise<SlotSnapshot> {
  assertSlotName(slotName);
  const options = typeof optionsOrPurpose === "string" ? { purpose: optionsOrPurpose } : optionsOrPurpose;
  const purpose = options.purpose ?? `snapshot:${slotName}`;
  // The lock holder has no transaction ID (it only locks), so slot creation does not wait for it.
  const locks = options.lockTables?.length ? await lockSession(peer, `${purpose}:locks`, options) : null;
  let client: pg.Client | null = null;
  try {
    client = await connectPeer(peer, purpose, { replication: true });
    const created = await createSlotWithSnapshot(client, slotName);
    const closeSlot = closer(client);
    const closeLocks = locks ? closer(locks) : async () => {};
    return {
      slotName,
      snapshotName: created.snapshotName,
      consistentPoint: created.consistentPoint,
      close: async () => {
        await closeSlot();
        await closeLocks();
      },
    };
  } catch (error) {
    await Promise.all([client?.end().catch(() => {}), locks?.end().catch(() => {})]);
    throw error;
  }
}

/**
 * Initial-copy-only mode: exports a snapshot from a REPEATABLE READ transaction that stays open
 * (and idle) until close(), holding the `lockTables` locks it took before the snapshot. Creates
 * nothing on the source. Throws a PeerConnectError when the connection fails, 55P03 when the
 * locks are not granted in time.
 */
export async function exportSnapshot(peer: PeerConnection, optionsOrPurpose: SnapshotOptions | string = {}): Promise<ExportedSnapshot> {
  const options = typeof optionsOrPurpose === "string" ? { purpose: optionsOrPurpose } : optionsOrPurpose;
  const client = await connectPeer(peer, options.purpose ?? "snapshot");
  try {
    // The transaction is idle for the whole load: a server-side idle timeout would end it.
    await client.query("SET idle_in_transaction_session_timeout = 0");
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // LOCK TABLE does not take the transaction's snapshot, so the snapshot below is taken after
    // the locks are granted: no rewrite can commit between the two.
    await lockTables(client, options);
    const { rows } = await client.query<{ name: string }>("SELECT pg_export_snapshot() AS name");
    return { snapshotName: rows[0].name, close: closer(client) };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

async function lockSession(peer: PeerConnection, purpose: string, options: SnapshotOptions): Promise<pg.Client> {
  const client = await connectPeer(peer, purpose);
  try {
    await client.query("SET idle_in_transaction_session_timeout = 0");
    await client.query("BEGIN READ ONLY");
    await lockTables(client, options);
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

async function lockTables(client: pg.Client, options: SnapshotOptions): Promise<void> {
  const tables = options.lockTables ?? [];
  if (tables.length === 0) return;
  await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs ?? LOCK_TIMEOUT_MS))}`);
  await client.query(`LOCK TABLE ${tables.map((t) => quoteQualified(t.schema, t.name)).join(", ")} IN ACCESS SHARE MODE`);
}

/**
 * Joins an exported snapshot: starts a REPEATABLE READ READ ONLY transaction on `client` (which
 * must be idle) that sees exactly what the snapshot saw. Throws a SnapshotGoneError when the
 * exporting session has ended or moved on.
 */
export async function beginInSnapshot(client: Pick<pg.ClientBase, "query">, snapshotName: string): Promise<void> {
  try {
    // One round trip; only the SET can fail here (BEGIN in a fresh session cannot).
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${snapshotName.replaceAll("'", "''")}'`);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw new SnapshotGoneError((error as Error)?.message ?? String(error), { snapshotName, cause: error });
  }
}

/**
 * Locks `relation` (ACCESS SHARE, like any reader) inside a snapshot transaction opened by
 * beginInSnapshot, then checks that its storage is still the one the snapshot saw.
 *
 * Why: TRUNCATE, VACUUM FULL, CLUSTER and rewriting ALTER TABLEs give a table a new relfilenode
 * and are not MVCC-safe — a snapshot older than them reads the new storage (empty, or rows at
 * other ctids), silently. pg_class read through the snapshot still shows the old relfilenode, the
 * system cache the current one; once we hold the lock, no such rewrite can commit until we end.
 * Throws a TableRewrittenError (a SnapshotGoneError: the load must restart) when they differ.
 * The session must have standard_conforming_strings on (the name is sent as a literal).
 */
export async function lockUnchangedSinceSnapshot(client: Pick<pg.ClientBase, "query">, relation: QualifiedName, snapshotName: string): Promise<void> {
  const name = quoteQualified(relation.schema, relation.name);
  // One round trip (a multi-statement query: the name is a literal, so no parameters).
  const results = (await client.query(
    `LOCK TABLE ONLY ${name} IN ACCESS SHARE MODE; SELECT c.relfilenode = pg_relation_filenode(c.oid) AS same FROM pg_class c WHERE c.oid = ${quoteLiteral(name)}::regclass`,
  )) as unknown as pg.QueryResult<{ same: boolean }>[];
  if (results[1]?.rows[0]?.same !== true) throw new TableRewrittenError(snapshotName, relation);
}

function closer(client: pg.Client): () => Promise<void> {
  let closed: Promise<void> | null = null;
  return () => (closed ??= client.end().catch(() => {}));
}
