/**
 * CDC applies INSERT, UPDATE (including primary-key changes), DELETE and TRUNCATE in commit
 * order, keeps every value's exact text, ignores rolled-back work, and handles REPLICA IDENTITY
 * FULL tables without a primary key, duplicates included.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, expectSameData, type Harness, startRun, type TestRun, waitForCatchUp } from "./harness";

const DDL = `
  CREATE TABLE public.items (
    id bigint PRIMARY KEY,
    name text,
    price numeric(12,4),
    at timestamptz,
    span interval,
    doc json,
    docb jsonb,
    tags text[],
    raw bytea,
    f double precision,
    p point
  );
  CREATE TABLE public.pairs (a int, b text, PRIMARY KEY (a, b), note text);
  CREATE TABLE public.bag (x int, y text, j json);
  ALTER TABLE public.bag REPLICA IDENTITY FULL;
  CREATE TABLE public.wiped (id int PRIMARY KEY, v text);
  CREATE TABLE "Odd Schema"."Odd ""Table""" (id int PRIMARY KEY, "Value" text);
`;

describe("CDC apply", () => {
  let h: Harness;
  let run: TestRun;

  beforeAll(async () => {
    h = await createHarness(`CREATE SCHEMA "Odd Schema"; ${DDL}`, ["public.items", "public.pairs", "public.bag", "public.wiped", '"Odd Schema"."Odd ""Table"""']);
    run = startRun(h, { startLsn: h.slotLsn });
  });

  afterAll(async () => {
    await run?.stop();
    await h?.close();
  });

  it("applies inserts, updates, deletes and primary-key changes with values intact", async () => {
    await h.source.query(`
      INSERT INTO items SELECT g, 'item ' || g, g * 1.0001, '2024-02-29 12:34:56.123456+00'::timestamptz + g * interval '1 second',
        interval '1 year 2 mons 3 days 04:05:06.789', '{"b": 1,  "a": [1, 2]}', '{"b": 1, "a": [1, 2]}', ARRAY['x', 'y "q"', NULL],
        '\\x00ff10', 0.1 + g, point(g, -g)
      FROM generate_series(1, 500) g;
      INSERT INTO pairs SELECT g, 'k' || g, 'n' FROM generate_series(1, 100) g;
      INSERT INTO "Odd Schema"."Odd ""Table""" VALUES (1, 'one'), (2, 'two');
    `);
    await h.source.query("UPDATE items SET name = name || '!' WHERE id % 3 = 0");
    await h.source.query("UPDATE items SET price = NULL, doc = NULL WHERE id % 7 = 0");
    await h.source.query("DELETE FROM items WHERE id % 10 = 0");
    // Primary-key changes, including a chain within one transaction and a swap via a free key.
    await h.source.query(`
      BEGIN;
      UPDATE items SET id = id + 1000 WHERE id BETWEEN 1 AND 5;
      UPDATE items SET id = 2000 WHERE id = 1001;
      UPDATE items SET id = 3000 WHERE id = 2000;
      UPDATE pairs SET b = 'changed' WHERE a = 1;
      UPDATE pairs SET a = -a WHERE a BETWEEN 2 AND 4;
      UPDATE items SET id = 999999 WHERE id = 6;
      UPDATE items SET id = 6 WHERE id = 7;
      UPDATE items SET id = 7 WHERE id = 999999;
      COMMIT;
    `);
    // The same row updated many times in one transaction: the last update wins.
    await h.source.query("BEGIN; UPDATE items SET name = 'a' WHERE id = 11; UPDATE items SET name = 'b' WHERE id = 11; UPDATE items SET name = 'c' WHERE id = 11; COMMIT");
    await h.source.query(`UPDATE "Odd Schema"."Odd ""Table""" SET "Value" = 'uno' WHERE id = 1`);
    await waitForCatchUp(h, run);
    await expectSameData(h);
    // Row 1 moved to 3000 through the key chain, with its values intact to the microsecond and the byte.
    const moved = await h.target.query(
      "SELECT id, at = '2024-02-29 12:34:57.123456+00' AS at_exact, doc::text AS doc FROM items WHERE id IN (1, 3000)",
    );
    expect(moved.rows).toEqual([{ id: "3000", at_exact: true, doc: '{"b": 1,  "a": [1, 2]}' }]);
    expect(run.batches.length).toBeGreaterThan(0);
    const total = run.batches.reduce((sum, b) => sum + b.rows, 0);
    expect(total).toBeGreaterThanOrEqual(602);
  });

  it("ignores rolled-back transactions and rolled-back savepoints", async () => {
    await h.source.query("BEGIN; INSERT INTO items (id, name) VALUES (-1, 'never'); ROLLBACK");
    await h.source.query(`
      BEGIN;
      INSERT INTO items (id, name) VALUES (-2, 'kept');
      SAVEPOINT s1;
      INSERT INTO items (id, name) VALUES (-3, 'rolled back');
      UPDATE items SET name = 'rolled back' WHERE id = 12;
      ROLLBACK TO SAVEPOINT s1;
      SAVEPOINT s2;
      UPDATE items SET name = 'kept too' WHERE id = 13;
      RELEASE SAVEPOINT s2;
      COMMIT;
    `);
    await waitForCatchUp(h, run);
    await expectSameData(h);
    const ids = await h.target.query("SELECT id FROM items WHERE id < 0 ORDER BY id");
    expect(ids.rows.map((r) => r.id)).toEqual(["-2"]);
  });

  it("handles REPLICA IDENTITY FULL without a primary key, duplicate rows included", async () => {
    await h.source.query(`
      INSERT INTO bag VALUES (1, 'a', '{"k": 1}'), (1, 'a', '{"k": 1}'), (1, 'a', '{"k": 1}'), (2, NULL, NULL), (2, NULL, NULL), (3, 'c', '[ ]');
    `);
    // One of three identical rows changes; one of two identical NULL rows goes; json compares as text.
    await h.source.query("UPDATE bag SET y = 'changed' WHERE ctid = (SELECT ctid FROM bag WHERE x = 1 LIMIT 1)");
    await h.source.query("DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE x = 2 LIMIT 1)");
    await h.source.query("UPDATE bag SET x = 30 WHERE x = 3");
    await waitForCatchUp(h, run);
    await expectSameData(h);
    const counts = await h.target.query("SELECT x, y, count(*)::int AS n FROM bag GROUP BY x, y ORDER BY x, y");
    expect(counts.rows).toEqual([
      { x: 1, y: "a", n: 2 },
      { x: 1, y: "changed", n: 1 },
      { x: 2, y: null, n: 1 },
      { x: 30, y: "c", n: 1 },
    ]);
  });

  it("applies TRUNCATE in order with the changes around it", async () => {
    await h.source.query("INSERT INTO wiped SELECT g, 'v' FROM generate_series(1, 50) g");
    await h.source.query("BEGIN; INSERT INTO wiped VALUES (51, 'w'); TRUNCATE wiped; INSERT INTO wiped VALUES (1, 'after'); COMMIT");
    await waitForCatchUp(h, run);
    await expectSameData(h);
    const rows = await h.target.query("SELECT id, v FROM wiped");
    expect(rows.rows).toEqual([{ id: 1, v: "after" }]);
    expect(run.events.filter((e) => e.level === "error")).toEqual([]);
  });
});
