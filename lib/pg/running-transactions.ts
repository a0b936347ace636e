import type { Queryable } from "./describe-session";
import { sleep } from "@/lib/sleep";

/** How often the wait looks again. Default: 200 ms. */
const POLL_MS = 200;

/**
 * Waits until every transaction of this database that holds a transaction ID now (prepared ones
 * included) has ended, and returns the source's WAL position after that: every transaction
 * committing at or after it started after this call. Used after a catalog change (ALTER PUBLICATION)
 * that logical decoding applies only to transactions that began after it — what CREATE INDEX
 * CONCURRENTLY waits for too. Throws after `timeoutMs` naming the oldest blocking session.
 */
export async function waitForRunningTransactions(client: Queryable, { timeoutMs = 10 * 60_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string> {
  const running = `
    SELECT pid::text AS id, backend_xid::text AS xid FROM pg_catalog.pg_stat_activity
     WHERE datname = pg_catalog.current_database() AND backend_xid IS NOT NULL AND pid <> pg_catalog.pg_backend_pid()
    UNION ALL
    SELECT 'prepared ' || gid, transaction::text FROM pg_catalog.pg_prepared_xacts WHERE database = pg_catalog.current_database()`;
  const key = (row: { id: string; xid: string }) => `${row.id}\u0000${row.xid}`;
  const before = new Set((await client.query<{ id: string; xid: string }>(running)).rows.map(key));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const still = (await client.query<{ id: string; xid: string }>(running)).rows.filter((row) => before.has(key(row)));
    if (still.length === 0) break;
    if (Date.now() > deadline) {
      throw new Error(`transaction ${still[0].xid} (session ${still[0].id}) has been running for over ${Math.round(timeoutMs / 60_000)} minutes; end it so the tables can be added`);
    }
    await sleep(POLL_MS, signal);
  }
  const { rows } = await client.query<{ lsn: string }>("SELECT pg_catalog.pg_current_wal_lsn()::text AS lsn");
  return rows[0].lsn;
}
