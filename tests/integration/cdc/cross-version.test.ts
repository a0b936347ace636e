/**
 * CDC from PostgreSQL 15 to 18: the protocol, text values of many types (user types get different
 * OIDs on each server), TOAST, key changes, new enum labels and new columns.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestCluster } from "@/tests/support/clusters";
import { startPg15 } from "@/tests/support/pg15";
import { createHarness, expectSameData, type Harness, startRun, type TestRun, waitForCatchUp } from "./harness";

const DDL = `
  CREATE TYPE mood AS ENUM ('sad', 'happy');
  CREATE TYPE pair AS (a int, b text);
  CREATE DOMAIN positive AS int CHECK (VALUE > 0);
  CREATE TABLE things (
    id uuid PRIMARY KEY,
    m mood, ms mood[], p pair, d positive,
    ts timestamp(3), tstz timestamptz, day date, t time, span interval,
    n numeric, money_ money, bits bit varying(10), inet_ inet, cidr_ cidr, mac macaddr,
    j json, jb jsonb, x xml, arr int[][], r int4range, tsv tsvector, b bytea, big text, f real
  );
`;

describe("CDC from PostgreSQL 15 to 18", () => {
  let pg15: TestCluster;
  let h: Harness;
  let run: TestRun;

  beforeAll(async () => {
    pg15 = await startPg15("cdc-cross-version");
    h = await createHarness(DDL, ["public.things"], DDL, { source: pg15 });
    expect((await h.source.query("SELECT current_setting('server_version_num')::int AS v")).rows[0].v).toBeLessThan(160000);
    run = startRun(h, { startLsn: h.slotLsn });
  }, 120_000);

  afterAll(async () => {
    await run?.stop();
    await h?.close();
    await pg15?.stop();
  });

  it("replicates values of many types exactly, with TOAST, key changes, new labels and columns", async () => {
    await h.source.query(`
      INSERT INTO things
      SELECT gen_random_uuid(), 'happy', '{sad,happy}', ROW(g, 'x,"y"')::pair, g,
        '2024-01-02 03:04:05.678', '2024-01-02 03:04:05.123456+05:30', 'infinity', '23:59:59.999999', '-1 day +02:03:04.5',
        1e-30 * g, 12.34, B'1011', '10.0.0.1/8', '10.0.0.0/8', '08:00:2b:01:02:03',
        '{"a" : 1}', '{"b": [1, 2.50]}', '<x a="1">t</x>', '{{1,2},{3,4}}', '[1,5)', 'a fat cat', '\\xdeadbeef',
        CASE WHEN g = 1 THEN (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 20000) i) END, 1.5e-7
      FROM generate_series(1, 50) g;
    `);
    await h.source.query("UPDATE things SET f = f * 2 WHERE big IS NOT NULL"); // TOAST unchanged
    await h.source.query("UPDATE things SET id = gen_random_uuid() WHERE d % 5 = 0"); // key changes
    await h.source.query("DELETE FROM things WHERE d % 7 = 0");
    await h.source.query("ALTER TYPE mood ADD VALUE 'meh' BEFORE 'happy'; ALTER TABLE things ADD COLUMN extra mood DEFAULT 'sad'");
    await h.source.query("UPDATE things SET m = 'meh', extra = 'meh' WHERE d % 3 = 0");
    await waitForCatchUp(h, run, 60_000);
    await expectSameData(h);
    const big = await h.target.query("SELECT length(big) AS n FROM things WHERE big IS NOT NULL");
    expect(big.rows).toEqual([{ n: 640_000 }]);
    expect(run.events.filter((e) => e.level !== "info")).toEqual([]);
  });
});
