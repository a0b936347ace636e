import type { Queryable } from "./describe-session";
import { sleep } from "@/lib/sleep";

/** How often the wait looks again. Default: 200 ms. */
const POLL_MS = 200;

/** After this long, and as often again, the caller hears which transaction it waits for. Default: 30 s (reportEveryMs). */
const REPORT_EVERY_MS = 30_000;

/**
 * Waits until every transaction of this database that holds a transaction ID now (prepared ones
 * included) has ended, and returns the source's WAL insert position after that: every transaction
 * whose commit record lies at or after it started after this call. Used after a catalog change (ALTER PUBLICATION)
 * that logical decoding applies only to transactions that began after it — what CREATE INDEX
 * CONCURRENTLY waits for too. Waits as long as it takes (until `signal`); `onWaiting` hears every 30 s
 * which session holds it up, so a person can end it.
 */
export async function waitForRunningTransactions(
  client: Queryable,
  {
    signal,
    onWaiting,
    reportEveryMs = REPORT_EVERY_MS,
  }: { signal?: AbortSignal; onWaiting?: (blocker: { session: string; xid: string; waitedMs: number }) => void; reportEveryMs?: number } = {},
): Promise<string> {
  const running = `
    SELECT pid::text AS id, backend_xid::text AS xid FROM pg_catalog.pg_stat_activity
     WHERE datname = pg_catalog.current_database() AND backend_xid IS NOT NULL AND pid <> pg_catalog.pg_backend_pid()
    UNION ALL
    SELECT 'prepared ' || gid, transaction::text FROM pg_catalog.pg_prepared_xacts WHERE database = pg_catalog.current_database()`;
  const key = (row: { id: string; xid: string }) => `${row.id}\u0000${row.xid}`;
  const before = new Set((await client.query<{ id: string; xid: string }>(running)).rows.map(key));
  const started = Date.now();
  let reportAt = started + reportEveryMs;
  for (;;) {
    signal?.throwIfAborted();
    const still = (await client.query<{ id: string; xid: string }>(running)).rows.filter((row) => before.has(key(row)));
    if (still.length === 0) break;
    if (Date.now() >= reportAt) {
      onWaiting?.({ session: still[0].id, xid: still[0].xid, waitedMs: Date.now() - started });
      reportAt = Date.now() + reportEveryMs;
    }
    await sleep(POLL_MS, signal);
  }
  // The insert position, not pg_current_wal_lsn() (the write position): that one lags what is already
  // in WAL buffers, and can be below the commit records of the transactions just waited for — and of
  // the ALTER PUBLICATION itself (measured: a handover at the write position lost ~8 transactions).
  const { rows } = await client.query<{ lsn: string }>("SELECT pg_catalog.pg_current_wal_insert_lsn()::text AS lsn");
  return rows[0].lsn;
}
