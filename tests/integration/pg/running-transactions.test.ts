import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLsn } from "@/lib/pg/lsn";
import { waitForRunningTransactions } from "@/lib/pg/running-transactions";
import { sleep } from "@/lib/sleep";
import { connect, createDatabase } from "@/tests/support/databases";

describe("waitForRunningTransactions", () => {
  let database: string;
  let client: pg.Client;
  let other: pg.Client;

  beforeAll(async () => {
    database = await createDatabase("source", "waits");
    client = await connect("source", database);
    other = await connect("source", database);
    await client.query("CREATE TABLE t (id int)");
  });
  afterAll(async () => {
    await Promise.all([client.end(), other.end()]);
  });

  it("waits for a transaction that holds an xid, not for one that starts later, and returns a position after its commit", async () => {
    await other.query("BEGIN; INSERT INTO t VALUES (1)");
    let returned: string | null = null;
    const waiting = waitForRunningTransactions(client).then((lsn) => (returned = lsn));
    await sleep(600);
    expect(returned).toBeNull();
    // A transaction that begins now does not hold the wait up.
    const late = await connect("source", database);
    await late.query("BEGIN; INSERT INTO t VALUES (2)");
    await other.query("COMMIT");
    // Past the commit record itself: the insert position, which the write position may lag.
    const committedBefore = parseLsn((await other.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn")).rows[0].lsn);
    await waiting;
    expect(parseLsn(returned!)).toBeGreaterThanOrEqual(committedBefore);
    await late.query("ROLLBACK");
    await late.end();
  });

  it("says which session it waits for, and stops when aborted", async () => {
    await other.query("BEGIN; INSERT INTO t VALUES (3)");
    const pid = (await other.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    const stop = new AbortController();
    const heard: string[] = [];
    const waiting = waitForRunningTransactions(client, { signal: stop.signal, reportEveryMs: 200, onWaiting: (b) => heard.push(b.session) });
    await sleep(700);
    stop.abort();
    await expect(waiting).rejects.toThrow();
    await other.query("ROLLBACK");
    expect(heard.length).toBeGreaterThanOrEqual(2);
    expect(new Set(heard)).toEqual(new Set([String(pid)]));
  });
});
