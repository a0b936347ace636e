import type { Queryable } from "./describe-session";
import { slots, type ReplicationSlot } from "./introspect/slots";
import { quoteIdent, quoteQualified } from "./quote";
import { sleep } from "@/lib/sleep";

/**
 * Replication objects on a source: logical slots and publications. A PostgreSQL toolkit: names are
 * the caller's, nothing here knows about mirrors. Every function takes an open connection; which
 * kind (normal or `replication: "database"`) is said on each.
 */

/** A table as PostgreSQL names it. */
export interface TableName {
  schema: string;
  name: string;
}

/** Slot names PostgreSQL accepts: lower-case letters, digits and underscores, at most 63. */
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;

/** Throws an Error when PostgreSQL would reject `name` as a replication slot name. Pure. */
export function assertSlotName(name: string): void {
  if (!SLOT_NAME.test(name)) {
    throw new Error(`invalid replication slot name ${JSON.stringify(name)}: use 1-63 lower-case letters, digits or underscores`);
  }
}

export interface CreatedSlot {
  /** LSN (text, e.g. "0/1A2B3C8") from which the slot streams changes not in the snapshot. */
  consistentPoint: string;
  /** The exported snapshot; usable only while `client` stays open and runs no other command. */
  snapshotName: string;
}

/**
 * Creates logical slot `slotName` (plugin pgoutput) and exports its snapshot, on `client`, which must
 * be a replication connection (`replication: "database"`, see connectPeer).
 *
 * Not idempotent: throws PostgreSQL's 42710 when the slot exists (a stale slot has no usable
 * snapshot; dropSlot first if that is what you want), 55000 when wal_level is not logical, 42501
 * without the REPLICATION privilege, 53400 when max_replication_slots are all used.
 */
export async function createSlotWithSnapshot(client: Queryable, slotName: string): Promise<CreatedSlot> {
  assertSlotName(slotName);
  const version = Number((await client.query<{ server_version_num: string }>("SHOW server_version_num")).rows[0].server_version_num);
  // PostgreSQL 15 replaced the bare EXPORT_SNAPSHOT keyword with an option list.
  const command =
    version >= 150000
      ? `CREATE_REPLICATION_SLOT ${quoteIdent(slotName)} LOGICAL pgoutput (SNAPSHOT 'export')`
      : `CREATE_REPLICATION_SLOT ${quoteIdent(slotName)} LOGICAL pgoutput EXPORT_SNAPSHOT`;
  const { rows } = await client.query<{ consistent_point: string; snapshot_name: string }>(command);
  return { consistentPoint: rows[0].consistent_point, snapshotName: rows[0].snapshot_name };
}

/** Default: 10 seconds for a terminated walsender to release its slot. */
const RELEASE_TIMEOUT_MS = 10_000;

/**
 * Drops replication slot `slotName` if it exists. Idempotent: `{ dropped: false }` when there is
 * none. When a session still holds the slot — typically a walsender whose client died without the
 * server noticing — that session is terminated first, so the slot stops retaining WAL. Needs a
 * normal (not replication) connection to the slot's server.
 * Throws when the slot stays busy for RELEASE_TIMEOUT_MS, or PostgreSQL's 42501 when the user may
 * not terminate the holder or drop the slot.
 */
export async function dropSlot(client: Queryable, slotName: string): Promise<{ dropped: boolean }> {
  assertSlotName(slotName);
  const deadline = Date.now() + RELEASE_TIMEOUT_MS;
  for (;;) {
    const { rows } = await client.query<{ active_pid: number | null }>("SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1", [slotName]);
    if (rows.length === 0) return { dropped: false };
    const pid = rows[0].active_pid;
    if (pid !== null) {
      await client.query("SELECT pg_terminate_backend($1)", [pid]);
    } else {
      try {
        await client.query("SELECT pg_drop_replication_slot($1)", [slotName]);
        return { dropped: true };
      } catch (error) {
        const code = (error as { code?: string }).code;
        // 42704: dropped concurrently. 55006: taken again between our check and the drop.
        if (code === "42704") return { dropped: false };
        if (code !== "55006") throw error;
      }
    }
    if (Date.now() > deadline) throw new Error(`replication slot ${slotName} is still in use after terminating its session`);
    await sleep(100);
  }
}

/** What a logical consumer needs to know about its slot. */
export interface SlotPosition {
  /** Output plugin; null for a physical slot. */
  plugin: string | null;
  database: string | null;
  /** LSN text; null when the slot can no longer stream (its WAL is gone). */
  confirmedFlushLsn: string | null;
  /** reserved / extended / unreserved / lost (PostgreSQL 13+); null before. */
  walStatus: string | null;
}

/** Reads slot `slotName`; null when it does not exist. Read-only; any connection; PostgreSQL 12+. */
export async function findSlot(client: Queryable, slotName: string): Promise<SlotPosition | null> {
  // to_jsonb(s) reads wal_status where it exists (13+) without failing on 12.
  const { rows } = await client.query<{ plugin: string | null; database: string | null; confirmed: string | null; wal_status: string | null }>(
    `SELECT s.plugin, s.database::text AS database, s.confirmed_flush_lsn::text AS confirmed, to_jsonb(s) ->> 'wal_status' AS wal_status
       FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = $1`,
    [slotName],
  );
  const row = rows[0];
  return row ? { plugin: row.plugin, database: row.database, confirmedFlushLsn: row.confirmed, walStatus: row.wal_status } : null;
}

/**
 * Slot `slotName` with how much WAL it holds back (see introspect/slots); null when it does not
 * exist. Read-only; any normal connection.
 */
export async function slotStats(client: Queryable, slotName: string): Promise<ReplicationSlot | null> {
  return (await slots(client)).find((s) => s.name === slotName) ?? null;
}

/**
 * Creates publication `name` for exactly `tables`, or, when it already exists (an earlier attempt),
 * sets its table list to `tables`. Idempotent. Partitioned tables are published under their root's
 * name (publish_via_partition_root, PostgreSQL 13+), so a consumer sees one table.
 * Throws an Error for an empty list, PostgreSQL's 42P01 when a table does not exist, 42501 when the
 * user may not create publications.
 */
export async function ensurePublication(client: Queryable, name: string, tables: TableName[]): Promise<void> {
  if (tables.length === 0) throw new Error(`publication ${name} needs at least one table`);
  const version = Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0].v);
  const list = tables.map((t) => quoteQualified(t.schema, t.name)).join(", ");
  const viaRoot = version >= 130000;
  const { rows } = await client.query("SELECT 1 FROM pg_publication WHERE pubname = $1", [name]);
  if (rows.length === 0) {
    const options = viaRoot ? " WITH (publish_via_partition_root = true)" : "";
    try {
      await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list}${options}`);
      return;
    } catch (error) {
      // Another attempt created it in the meantime: fall through and align it.
      if ((error as { code?: string }).code !== "42710") throw error;
    }
  }
  await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
  if (viaRoot) await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET (publish_via_partition_root = true)`);
}

/**
 * Takes `tables` out of publication `name` (ALTER PUBLICATION … DROP TABLE), on a normal connection.
 * Only tables that are members are named, so it is idempotent; a missing publication or table is not
 * an error. Returns the tables it took out. Throws 42501 when the user does not own the publication.
 * Changes committed before the ALTER are still decoded as published: a consumer must ignore them itself.
 */
export async function dropTablesFromPublication(client: Queryable, name: string, tables: TableName[]): Promise<TableName[]> {
  if (tables.length === 0) return [];
  const { rows } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_catalog.pg_publication p
       JOIN pg_catalog.pg_publication_rel pr ON pr.prpubid = p.oid
       JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE p.pubname = $1`,
    [name],
  );
  const members = rows.filter((row) => tables.some((t) => t.schema === row.schema && t.name === row.name));
  if (members.length === 0) return [];
  await client.query(`ALTER PUBLICATION ${quoteIdent(name)} DROP TABLE ${members.map((t) => quoteQualified(t.schema, t.name)).join(", ")}`);
  return members;
}

/**
 * Adds `tables` to publication `name` (ALTER PUBLICATION … ADD TABLE), skipping members, so it is
 * idempotent. Returns the tables it added. Changes of transactions that were already running may still
 * be decoded as unpublished: see waitForRunningTransactions before relying on the new membership.
 */
export async function addTablesToPublication(client: Queryable, name: string, tables: TableName[]): Promise<TableName[]> {
  if (tables.length === 0) return [];
  const { rows } = await client.query<{ schema: string; name: string }>(
    "SELECT schemaname AS schema, tablename AS name FROM pg_catalog.pg_publication_tables WHERE pubname = $1",
    [name],
  );
  const missing = tables.filter((t) => !rows.some((row) => row.schema === t.schema && row.name === t.name));
  if (missing.length === 0) return [];
  await client.query(`ALTER PUBLICATION ${quoteIdent(name)} ADD TABLE ${missing.map((t) => quoteQualified(t.schema, t.name)).join(", ")}`);
  return missing;
}

/** Drops publication `name` if it exists. Idempotent. Throws 42501 when the user does not own it. */
export async function dropPublication(client: Queryable, name: string): Promise<void> {
  await client.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
}

/**
 * Creates logical slot `slotName` (plugin pgoutput) without exporting a snapshot, on a normal
 * connection, and returns the LSN from which it streams: every transaction committed after it, none
 * before. Idempotent: when the slot exists and was never consumed, its confirmed position is that same
 * point, so a retry gets the answer the first call got (`created: false`).
 * Throws PostgreSQL's 55000 when wal_level is not logical, 42501 without the REPLICATION privilege,
 * 53400 when max_replication_slots are all used; an Error when the slot exists but is not a usable
 * pgoutput slot of this database.
 */
export async function ensureLogicalSlot(client: Queryable, slotName: string): Promise<{ consistentPoint: string; created: boolean }> {
  assertSlotName(slotName);
  const existing = async () => {
    const { rows } = await client.query<{ plugin: string | null; same_db: boolean; confirmed: string | null }>(
      `SELECT plugin, database = current_database() AS same_db, confirmed_flush_lsn::text AS confirmed
         FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`,
      [slotName],
    );
    const row = rows[0];
    if (!row) return null;
    if (row.plugin !== "pgoutput" || !row.same_db || row.confirmed === null) {
      throw new Error(`replication slot ${slotName} exists but is not a usable pgoutput slot of this database`);
    }
    return row.confirmed;
  };
  const found = await existing();
  if (found) return { consistentPoint: found, created: false };
  try {
    const { rows } = await client.query<{ lsn: string }>("SELECT lsn::text AS lsn FROM pg_catalog.pg_create_logical_replication_slot($1, 'pgoutput')", [slotName]);
    return { consistentPoint: rows[0].lsn, created: true };
  } catch (error) {
    // Created concurrently by a retry of the same step.
    if ((error as { code?: string }).code !== "42710") throw error;
    const again = await existing();
    if (!again) throw error;
    return { consistentPoint: again, created: false };
  }
}
