import type pg from "pg";
import type { Queryable } from "@/lib/pg/describe-session";
import { quoteLiteral } from "@/lib/pg/quote";
import type { QualifiedName } from "@/lib/mirrors/table-mapping";

/**
 * The target-side record of finished partitions: `_pgferry.load_partitions`. A partition's row is
 * written in the same target transaction as its data, so "recorded" and "applied" can never
 * disagree, whatever crashes when.
 */
export const BOOKKEEPING_SCHEMA = "_pgferry";
export const BOOKKEEPING_TABLE = `"${BOOKKEEPING_SCHEMA}"."load_partitions"`;

export interface DonePartition {
  partitionKey: string;
  rows: number;
  doneAt: Date;
}

/**
 * Creates the bookkeeping schema and table if missing. Idempotent and safe to run concurrently:
 * an advisory lock serialises creators (CREATE … IF NOT EXISTS alone can still collide).
 */
export async function ensureBookkeeping(target: Queryable): Promise<void> {
  const { rows } = await target.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [BOOKKEEPING_TABLE]);
  if (rows[0].exists) return;
  await target.query("BEGIN");
  try {
    await target.query("SELECT pg_advisory_xact_lock(hashtext('pgferry'), hashtext('bookkeeping'))");
    await target.query(`CREATE SCHEMA IF NOT EXISTS "${BOOKKEEPING_SCHEMA}"`);
    await target.query(
      `CREATE TABLE IF NOT EXISTS ${BOOKKEEPING_TABLE} (
         mirror text NOT NULL,
         partition_key text NOT NULL,
         rows bigint NOT NULL DEFAULT 0,
         done_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (mirror, partition_key)
       )`,
    );
    await target.query("COMMIT");
  } catch (error) {
    await target.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** Finished partitions of `mirror`, oldest first. Empty when the bookkeeping table does not exist. */
export async function listDonePartitions(target: Queryable, mirror: string): Promise<DonePartition[]> {
  if (!(await bookkeepingExists(target))) return [];
  const { rows } = await target.query<{ partition_key: string; rows: string; done_at: Date }>(
    `SELECT partition_key, rows, done_at FROM ${BOOKKEEPING_TABLE} WHERE mirror = $1 ORDER BY done_at, partition_key`,
    [mirror],
  );
  return rows.map((r) => ({ partitionKey: r.partition_key, rows: Number(r.rows), doneAt: r.done_at }));
}

/** Deletes every bookkeeping row of `mirror` (mirror deletion, or a clean restart). Idempotent. */
export async function clearMirrorBookkeeping(target: Queryable, mirror: string): Promise<number> {
  if (!(await bookkeepingExists(target))) return 0;
  const { rowCount } = await target.query(`DELETE FROM ${BOOKKEEPING_TABLE} WHERE mirror = $1`, [mirror]);
  return rowCount ?? 0;
}

/**
 * Opens a partition's target transaction and claims the partition in it, then runs `andThen` (e.g.
 * the table's lock) — one round trip: a load of many small tables spent most of the worker's time
 * writing statements to sockets. Returns false when the partition is already recorded as done. If
 * another session holds an uncommitted claim, this waits for it: a commit means done (false), a
 * rollback hands the partition to us (true) — so two workers never apply the same partition twice.
 * The session must have standard_conforming_strings on (the values are literals: a multi-statement
 * query takes no parameters).
 */
export async function beginClaimed(target: pg.Client, mirror: string, key: string, andThen: string): Promise<boolean> {
  const results = (await target.query(
    `BEGIN; INSERT INTO ${BOOKKEEPING_TABLE} (mirror, partition_key) VALUES (${quoteLiteral(mirror)}, ${quoteLiteral(key)}) ON CONFLICT DO NOTHING; ${andThen}`,
  )) as unknown as pg.QueryResult[];
  return results[1].rowCount === 1;
}

/** Sets the row count of a claimed partition and commits it with its data, in one round trip (see beginClaimed). */
export async function completeAndCommit(target: pg.Client, mirror: string, key: string, rows: number): Promise<void> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new Error(`invalid row count ${rows}`);
  await target.query(
    `UPDATE ${BOOKKEEPING_TABLE} SET rows = ${rows}, done_at = clock_timestamp() WHERE mirror = ${quoteLiteral(mirror)} AND partition_key = ${quoteLiteral(key)}; COMMIT`,
  );
}

async function bookkeepingExists(target: Queryable): Promise<boolean> {
  const { rows } = await target.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [BOOKKEEPING_TABLE]);
  return rows[0].exists;
}

/** The part of a partition that identifies it: the leaf relation and its block range. */
export interface PartitionRange {
  sourceRelation: QualifiedName;
  startBlock: number;
  endBlock: number | null;
}

/**
 * A stable, unambiguous key for a partition (used in the target's bookkeeping table): the leaf and
 * its block range. Two plans of the same leaf with different ranges never share keys.
 */
export function partitionKey(partition: PartitionRange): string {
  const { sourceRelation: r, startBlock, endBlock } = partition;
  return JSON.stringify([r.schema, r.name, startBlock, endBlock]);
}

/** Reads back the leaf named in a partitionKey. */
export function leafOfPartitionKey(key: string): QualifiedName | null {
  try {
    const [schema, name] = JSON.parse(key) as unknown[];
    return typeof schema === "string" && typeof name === "string" ? { schema, name } : null;
  } catch {
    return null;
  }
}
