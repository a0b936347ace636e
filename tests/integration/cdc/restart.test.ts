/**
 * Exactly-once effect across restarts and failures, and the acknowledgement contract: while a
 * write load runs, CDC is stopped and restarted several times (sometimes in the middle of a
 * source transaction) and its connections are killed; once caught up, target equals source, and
 * at no moment was the slot confirmed past the position stored on the target.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLsn } from "@/lib/pg/lsn";
import { sleep } from "@/lib/sleep";
import { readProgress } from "@/workers/cdc/progress";
import { adminQuery, connect } from "@/tests/support/databases";
import { createHarness, expectSameData, type Harness, startRun, waitForCatchUp } from "./harness";

const DDL = `
  CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text);
  CREATE TABLE log (account int, amount int, at timestamptz DEFAULT clock_timestamp());
  ALTER TABLE log REPLICA IDENTITY FULL;
`;


/** Random small transactions, some large ones, some rolled back, until `stop()`. */
function writeLoad(database: string, clients = 3) {
  let running = true;
  let transactions = 0;
  const workers = Array.from({ length: clients }, async (_, worker) => {
    const client: pg.Client = await connect("source", database);
    try {
      while (running) {
        const id = 1 + Math.floor(Math.random() * 500);
        const amount = Math.floor(Math.random() * 100) - 50;
        const kind = Math.random();
        if (kind < 0.03) {
          // A larger transaction, so stops also land in the middle of one.
          await client.query(`UPDATE accounts SET balance = balance + 1, note = 'bulk ${worker}' WHERE id % 3 = ${worker % 3}`);
        } else if (kind < 0.06) {
          await client.query("BEGIN");
          await client.query("UPDATE accounts SET balance = -1 WHERE id = $1", [id]);
          await client.query("ROLLBACK");
        } else if (kind < 0.1) {
          await client.query("DELETE FROM log WHERE ctid = (SELECT ctid FROM log WHERE account = $1 LIMIT 1)", [id]);
        } else {
          await client.query("BEGIN");
          await client.query("UPDATE accounts SET balance = balance + $2 WHERE id = $1", [id, amount]);
          await client.query("INSERT INTO log (account, amount) VALUES ($1, $2)", [id, amount]);
          await client.query("COMMIT");
        }
        transactions++;
      }
    } finally {
      await client.end();
    }
  });
  return {
    get transactions() {
      return transactions;
    },
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe("CDC restarts", () => {
  let h: Harness;
  let startLsn: string;

  beforeAll(async () => {
    h = await createHarness(DDL, ["public.accounts", "public.log"]);
    await h.source.query("INSERT INTO accounts SELECT g, 0, 'start' FROM generate_series(1, 500) g");
    await h.target.query("INSERT INTO accounts SELECT g, 0, 'start' FROM generate_series(1, 500) g");
    // Recreate the slot now, as an initial load would, so the rows loaded above are not replayed.
    await h.source.query("SELECT pg_drop_replication_slot($1)", [h.slotName]);
    const created = await h.source.query<{ lsn: string }>("SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')", [h.slotName]);
    startLsn = created.rows[0].lsn;
  });

  afterAll(async () => {
    await h?.close();
  });

  it("applies every change exactly once across stops, killed connections and restarts", async () => {
    const violations: string[] = [];
    let checking = true;
    const checker = (async () => {
      // Read the slot first, then the target: stored only grows, so confirmed <= stored must hold.
      while (checking) {
        const slot = await adminQuery("source", "SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1", [h.slotName]);
        const stored = await readProgress(h.target, h.mirror);
        const confirmed = parseLsn(slot.rows[0].lsn);
        if (stored !== null && confirmed > stored) violations.push(`confirmed ${slot.rows[0].lsn} > stored ${stored}`);
        if (stored === null && confirmed > parseLsn(startLsn)) violations.push(`confirmed ${slot.rows[0].lsn} with nothing stored`);
        await sleep(20);
      }
    })();

    const load = writeLoad(h.sourceDb);
    const events: string[] = [];
    try {
      for (let round = 0; round < 5; round++) {
        const run = startRun(h, { startLsn, maxBatchRows: 200, onEvent: (e) => void events.push(`${e.level}: ${e.message}`) });
        await sleep(400 + Math.random() * 600);
        if (round === 1) {
          // Kill the apply session on the target: a transient failure, retried.
          await adminQuery("target", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`pgferry:cdc:${h.mirror}`]);
          await sleep(700);
        }
        if (round === 3) {
          // Kill the walsender on the source.
          await adminQuery("source", "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active", [h.slotName]);
          await sleep(700);
        }
        await run.stop();
      }
    } finally {
      await load.stop();
    }
    expect(load.transactions).toBeGreaterThan(200);

    const final = startRun(h, { startLsn });
    try {
      await waitForCatchUp(h, final, 60_000);
      await expectSameData(h);
    } finally {
      await final.stop();
      checking = false;
      await checker;
    }
    expect(violations).toEqual([]);
    expect(events.filter((e) => e.startsWith("warn")).some((e) => /retrying/.test(e))).toBe(true);
    expect(events.filter((e) => e.startsWith("error"))).toEqual([]);
  });

  it("confirms an idle slot's position while other tables and databases write", async () => {
    const run = startRun(h, { startLsn });
    try {
      await waitForCatchUp(h, run);
      const before = await adminQuery("source", "SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1", [h.slotName]);
      // Writes the slot does not publish: an unpublished table here, and another database.
      await h.source.query("CREATE TABLE unrelated (id int); INSERT INTO unrelated SELECT generate_series(1, 1000)");
      await adminQuery("source", "CREATE TABLE IF NOT EXISTS pgferry_cdc_idle_probe (id int); INSERT INTO pgferry_cdc_idle_probe SELECT generate_series(1, 1000)");
      const goal = parseLsn((await h.source.query("SELECT pg_current_wal_insert_lsn()::text AS lsn")).rows[0].lsn);
      let confirmed = 0n;
      for (let i = 0; i < 100 && confirmed < goal; i++) {
        await sleep(100);
        const slot = await adminQuery("source", "SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1", [h.slotName]);
        confirmed = parseLsn(slot.rows[0].lsn);
      }
      expect(confirmed).toBeGreaterThanOrEqual(goal);
      expect(confirmed).toBeGreaterThan(parseLsn(before.rows[0].lsn));
      const stored = await readProgress(h.target, h.mirror);
      expect(stored).not.toBeNull();
      expect(stored!).toBeGreaterThanOrEqual(confirmed);
      expect(run.batches.every((b) => b.rows === 0)).toBe(true);
    } finally {
      await run.stop();
      await adminQuery("source", "DROP TABLE IF EXISTS pgferry_cdc_idle_probe");
    }
  });
});
