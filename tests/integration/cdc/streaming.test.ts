/**
 * Large transactions streamed while they run (pgoutput protocol 2, streaming 'on'): their
 * changes wait in a local spool and are applied at their commit, in commit order with the other
 * transactions; rolled-back subtransactions and aborted transactions leave nothing; a restart in
 * the middle receives the transaction again and applies it once.
 *
 * The source database gets logical_decoding_work_mem = 64kB (the minimum), so a few hundred
 * rows are enough for the source to stream a transaction.
 */
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { quoteIdent } from "@/lib/pg/quote";
import { sleep } from "@/lib/sleep";
import { adminQuery, connect } from "@/tests/support/databases";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, expectSameData, type Harness, startRun, type TestRun, waitForCatchUp } from "./harness";

const FILLER = "repeat(md5(g::text), 8)";

describe("CDC of streamed transactions", () => {
  let h: Harness;
  let run: TestRun;

  beforeAll(async () => {
    h = await createHarness("CREATE TABLE big (id int PRIMARY KEY, v text, filler text)", ["public.big"]);
    // Read by the walsender when it connects, so before the first run starts.
    await adminQuery("source", `ALTER DATABASE ${quoteIdent(h.sourceDb)} SET logical_decoding_work_mem = '64kB'`);
    run = startRun(h, { startLsn: h.slotLsn });
  });

  afterAll(async () => {
    await run?.stop();
    await h?.close();
  });

  /** Target sessions of the mirror's streamed-transaction connection with an open, writing transaction. */
  async function writingStreamSessions(): Promise<number> {
    const { rows } = await h.target.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1 AND backend_xid IS NOT NULL",
      [`%cdc:${h.mirror}:stream`],
    );
    return rows[0].n;
  }

  /** Transactions the source has streamed from this slot so far (its cumulative statistics). */
  async function streamedTransactions(): Promise<number> {
    const { rows } = await h.source.query<{ n: string }>("SELECT stream_txns AS n FROM pg_stat_replication_slots WHERE slot_name = $1", [h.slotName]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Waits until the run has applied all the source committed (streamed transactions take their time), then compares the tables. */
  async function caughtUpAndEqual(): Promise<void> {
    await waitForCatchUp(h, run, 120_000);
    await expectSameData(h);
  }

  /** Column `v` of the target's rows `ids`, by id. */
  async function targetValues(ids: number[]): Promise<Record<number, string>> {
    const { rows } = await h.target.query<{ id: number; v: string }>("SELECT id, v FROM big WHERE id = ANY($1)", [ids]);
    return Object.fromEntries(rows.map((r) => [r.id, r.v]));
  }

  it("applies a transaction the source streamed while it ran, as one transaction, at its commit", async () => {
    await h.source.query(`
      BEGIN;
      INSERT INTO big SELECT g, 'new', ${FILLER} FROM generate_series(1, 20000) g;
      UPDATE big SET v = 'updated' WHERE id % 3 = 0;
      UPDATE big SET id = id + 100000 WHERE id <= 100;
      DELETE FROM big WHERE id % 10 = 0;
      COMMIT;
    `);
    await caughtUpAndEqual();
    // The source really streamed it (the statistics reach the view within a second or so).
    await expect.poll(streamedTransactions, { timeout: 10_000 }).toBeGreaterThan(0);
    const batch = run.batches.find((b) => b.rows >= 20_000);
    expect(batch?.transactions).toBe(1);
  });

  it("drops rolled-back subtransactions and aborted transactions that were already streamed", async () => {
    const before = await streamedTransactions();
    await h.source.query(`
      BEGIN;
      INSERT INTO big SELECT g, 'kept', ${FILLER} FROM generate_series(200001, 203000) g;
      SAVEPOINT a;
      INSERT INTO big SELECT g, 'rolled back', ${FILLER} FROM generate_series(300001, 303000) g;
      UPDATE big SET v = 'rolled back' WHERE id BETWEEN 200001 AND 200100;
      ROLLBACK TO SAVEPOINT a;
      SAVEPOINT b;
      INSERT INTO big SELECT g, 'released', ${FILLER} FROM generate_series(400001, 403000) g;
      SAVEPOINT c;
      DELETE FROM big WHERE id BETWEEN 400001 AND 400500;
      ROLLBACK TO SAVEPOINT c;
      RELEASE SAVEPOINT b;
      COMMIT;
    `);
    await h.source.query(`BEGIN; INSERT INTO big SELECT g, 'aborted', ${FILLER} FROM generate_series(500001, 505000) g; ROLLBACK`);
    await caughtUpAndEqual();
    const counts = await h.target.query<{ v: string; n: string }>("SELECT v, count(*) AS n FROM big WHERE id > 200000 GROUP BY v ORDER BY v");
    // The reported batch counts only what was kept (the savepoints' work is not in it).
    expect(run.batches.filter((b) => b.inserts === 6000).map((b) => [b.rows, b.updates, b.deletes])).toEqual([[6000, 0, 0]]);
    expect(counts.rows).toEqual([
      { v: "kept", n: "3000" },
      { v: "released", n: "3000" },
    ]);
    // The savepoint transaction was streamed: ~1 MB before and inside the rolled-back savepoint each.
    await expect.poll(streamedTransactions, { timeout: 10_000 }).toBeGreaterThan(before);
  });

  it("applies small transactions that commit while a streamed one runs, in commit order", async () => {
    const long = await connect("source", h.sourceDb);
    try {
      await long.query(`BEGIN; INSERT INTO big SELECT g, 'long', ${FILLER} FROM generate_series(600001, 610000) g`);
      // Applied as it arrives: a second target session already writes it, in a transaction of its own.
      await expect.poll(writingStreamSessions, { timeout: 10_000 }).toBe(1);
      // Committed while the long transaction is open (and being streamed)...
      await h.source.query("INSERT INTO big VALUES (700001, 'small', 'x')");
      await h.source.query("UPDATE big SET v = 'small again' WHERE id = 101");
      // ...and then changed by it: applying the long one first would miss the row.
      await long.query("UPDATE big SET v = 'changed by long' WHERE id IN (700001, 101)");
      await long.query("COMMIT");
    } finally {
      await long.end();
    }
    await caughtUpAndEqual();
    expect(await targetValues([101, 700001])).toEqual({ 101: "changed by long", 700001: "changed by long" });
  });

  it("applies two large transactions streamed at the same time, each once, in commit order", async () => {
    const [a, b] = [await connect("source", h.sourceDb), await connect("source", h.sourceDb)];
    try {
      await a.query(`BEGIN; INSERT INTO big SELECT g, 'a', ${FILLER} FROM generate_series(900001, 905000) g`);
      await b.query(`BEGIN; INSERT INTO big SELECT g, 'b', ${FILLER} FROM generate_series(910001, 915000) g`);
      await a.query(`INSERT INTO big SELECT g, 'a', ${FILLER} FROM generate_series(905001, 908000) g`);
      await b.query("UPDATE big SET v = 'b' WHERE id = 102");
      await b.query("COMMIT");
      // Committed after b: its change to row 102 must win on the target too.
      await a.query("UPDATE big SET v = 'a' WHERE id BETWEEN 102 AND 103");
      await a.query("COMMIT");
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
    await caughtUpAndEqual();
    expect(await targetValues([102, 103])).toEqual({ 102: "a", 103: "a" });
  });

  it("applies a streamed transaction that changes the shape of a table it wrote to", async () => {
    await h.source.query(`
      BEGIN;
      INSERT INTO big SELECT g, 'before ddl', ${FILLER} FROM generate_series(1000001, 1004000) g;
      ALTER TABLE big ADD COLUMN extra int DEFAULT 7;
      INSERT INTO big SELECT g, 'after ddl', ${FILLER}, 8 FROM generate_series(1004001, 1008000) g;
      COMMIT;
    `);
    await caughtUpAndEqual();
    const extra = await h.target.query<{ extra: number; n: string }>("SELECT extra, count(*) AS n FROM big WHERE id > 1000000 GROUP BY extra ORDER BY extra");
    expect(extra.rows).toEqual([
      { extra: 7, n: "4000" },
      { extra: 8, n: "4000" },
    ]);
  });

  it("receives a transaction again after a restart in the middle of its stream, and applies it once", async () => {
    const long = await connect("source", h.sourceDb);
    try {
      await long.query(`BEGIN; INSERT INTO big SELECT g, 'first half', ${FILLER} FROM generate_series(800001, 805000) g`);
      // Let the first half be streamed into the running session's spool, then stop it.
      await sleep(1_000);
      await run.stop();
      // The stopped session left no spool behind.
      expect(readdirSync(tmpdir()).filter((name) => name.includes(h.slotName))).toEqual([]);
      run = startRun(h);
      await long.query(`INSERT INTO big SELECT g, 'second half', ${FILLER} FROM generate_series(805001, 810000) g`);
      await long.query("COMMIT");
    } finally {
      await long.end();
    }
    await caughtUpAndEqual();
    const count = await h.target.query<{ n: string }>("SELECT count(*) AS n FROM big WHERE id BETWEEN 800001 AND 810000");
    expect(count.rows[0].n).toBe("10000");
  });
});
