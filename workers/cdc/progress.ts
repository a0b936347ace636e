/**
 * Bookkeeping on the target: `_pgferry.cdc_progress` holds, per mirror, the source LSN up to which
 * every change has been applied. It is written in the same target transaction as the changes, so
 * after a crash the stored LSN and the data agree, and CDC resumes from there (exactly-once effect).
 *
 * The LSN stored is the end of the last applied commit (what native logical replication keeps in
 * its replication origin), or a later keepalive position once everything received was applied.
 * A source transaction whose commit LSN is below it has therefore been applied already.
 */
import type pg from "pg";
import { type Lsn, formatLsn, parseLsn } from "@/lib/pg/lsn";
import { inTransaction } from "@/lib/pg/transaction";

export const PROGRESS_SCHEMA = "_pgferry";
export const PROGRESS_TABLE = "_pgferry.cdc_progress";

/** Creates `_pgferry.cdc_progress` if missing. Idempotent; safe when several mirrors start at once. */
export async function ensureProgressTable(client: pg.Client): Promise<void> {
  // The advisory lock serialises concurrent creators: CREATE ... IF NOT EXISTS alone can still
  // fail with a unique violation in the catalog when two sessions race. It is the lock every
  // creator of `_pgferry` objects takes (initial-load bookkeeping, mirror teardown), so the
  // schema is never dropped under us.
  await inTransaction(client, "BEGIN", async () => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('pgferry'), hashtext('bookkeeping'))");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${PROGRESS_SCHEMA}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (
         mirror text PRIMARY KEY,
         lsn pg_lsn NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
  });
}

/** The stored LSN of a mirror, or null when it has none (or the table does not exist yet). */
export async function readProgress(client: pg.Client, mirror: string): Promise<Lsn | null> {
  const exists = await client.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [PROGRESS_TABLE]);
  if (!exists.rows[0].ok) return null;
  const result = await client.query<{ lsn: string }>(`SELECT lsn::text AS lsn FROM ${PROGRESS_TABLE} WHERE mirror = $1`, [mirror]);
  return result.rows.length ? parseLsn(result.rows[0].lsn) : null;
}

/** The statement that records progress; the applier sends it inside its batch transaction. */
export function progressUpsert(mirror: string, lsn: Lsn): pg.QueryConfig {
  return {
    name: "pgferry_cdc_progress",
    text:
      `INSERT INTO ${PROGRESS_TABLE} (mirror, lsn, applied_at) VALUES ($1, $2::pg_lsn, now()) ` +
      `ON CONFLICT (mirror) DO UPDATE SET lsn = excluded.lsn, applied_at = excluded.applied_at`,
    values: [mirror, formatLsn(lsn)],
  };
}

/**
 * Deletes a mirror's progress row (mirror deleted or resynced). Idempotent: no table, no row, no error.
 * The caller owns the client.
 */
export async function deleteProgress(client: pg.Client, mirror: string): Promise<void> {
  const exists = await client.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [PROGRESS_TABLE]);
  if (!exists.rows[0].ok) return;
  await client.query(`DELETE FROM ${PROGRESS_TABLE} WHERE mirror = $1`, [mirror]);
}
