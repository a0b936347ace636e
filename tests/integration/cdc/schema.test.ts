/**
 * Unchanged TOAST values survive updates, and schema changes on the source reach the target:
 * ADD COLUMN (with the source's fast default for existing rows), new enum labels in the source's
 * order, new enum types; dropped columns and type changes are reported, not fatal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, expectSameData, type Harness, startRun, type TestRun, waitForCatchUp } from "./harness";

const DDL = `
  CREATE TYPE mood AS ENUM ('sad', 'happy');
  CREATE TABLE docs (id int PRIMARY KEY, title text, body text, counter int);
  ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
  CREATE TABLE people (id int PRIMARY KEY, name text, m mood, ms mood[], secret text);
  CREATE TABLE grow (id int PRIMARY KEY, v text);
  CREATE TABLE vol (id int PRIMARY KEY);
  CREATE TABLE shrink (id int PRIMARY KEY, keep text, old text, n int);
`;

describe("CDC TOAST and schema changes", () => {
  let h: Harness;
  let run: TestRun;

  beforeAll(async () => {
    h = await createHarness(
      DDL,
      ["public.docs", "public.people", "public.grow", "public.vol", "public.shrink"],
      // The target never gets the excluded column.
      DDL.replace(", secret text", ""),
    );
    h.tables.find((t) => t.source.name === "people")!.excludeColumns = ["secret"];
    run = startRun(h, { startLsn: h.slotLsn });
  });

  afterAll(async () => {
    await run?.stop();
    await h?.close();
  });

  it("keeps a multi-MB TOASTed value when another column of its row is updated", async () => {
    // ~3 MB of incompressible text, stored out of line.
    await h.source.query("INSERT INTO docs SELECT 1, 'first', string_agg(md5(g::text || random()::text), ''), 0 FROM generate_series(1, 100000) g");
    await h.source.query("INSERT INTO docs VALUES (2, 'small', 'tiny', 0)");
    await waitForCatchUp(h, run);
    for (let i = 1; i <= 3; i++) await h.source.query("UPDATE docs SET counter = counter + 1, title = 'edited' WHERE id IN (1, 2)");
    await waitForCatchUp(h, run);
    await expectSameData(h);
    const body = await h.target.query("SELECT length(body) AS length, counter FROM docs WHERE id = 1");
    expect(body.rows[0]).toEqual({ length: 3_200_000, counter: 3 });
  });

  it("adds new source columns on the target, with the source's value for existing rows", async () => {
    await h.source.query("INSERT INTO grow SELECT g, 'v' || g FROM generate_series(1, 20) g");
    await waitForCatchUp(h, run);
    await h.source.query(`
      ALTER TABLE grow ADD COLUMN n int DEFAULT 5;
      ALTER TABLE grow ADD COLUMN at timestamptz DEFAULT now();
      ALTER TABLE grow ADD COLUMN "Label Text" varchar(20) DEFAULT 'it''s';
      ALTER TABLE grow ADD COLUMN plain numeric(8,2);
    `);
    await h.source.query("INSERT INTO grow (id, v, n, plain) VALUES (21, 'new', 7, 1.5)");
    await h.source.query("UPDATE grow SET v = 'touched' WHERE id = 3");
    await waitForCatchUp(h, run);
    await expectSameData(h);
    const columns = await h.target.query(
      "SELECT attname, format_type(atttypid, atttypmod) AS type, atthasdef FROM pg_attribute WHERE attrelid = 'grow'::regclass AND attnum > 2 ORDER BY attnum",
    );
    expect(columns.rows).toEqual([
      { attname: "n", type: "integer", atthasdef: false },
      { attname: "at", type: "timestamp with time zone", atthasdef: false },
      { attname: "Label Text", type: "character varying(20)", atthasdef: false },
      { attname: "plain", type: "numeric(8,2)", atthasdef: false },
    ]);
    expect(run.events.some((e) => e.level === "info" && /Added column n integer/.test(e.message))).toBe(true);
  });

  it("warns when a new column's default was computed row by row on the source", async () => {
    await h.source.query("INSERT INTO vol SELECT generate_series(1, 3)");
    await waitForCatchUp(h, run);
    await h.source.query("ALTER TABLE vol ADD COLUMN r float8 DEFAULT random()");
    await h.source.query("INSERT INTO vol VALUES (4, 0.5)");
    await waitForCatchUp(h, run);
    expect(run.events.some((e) => e.level === "warn" && /computed row by row/.test(e.message) && /Resync/.test(e.message))).toBe(true);
    const rows = await h.target.query("SELECT id, r FROM vol ORDER BY id");
    expect(rows.rows).toEqual([
      { id: 1, r: null },
      { id: 2, r: null },
      { id: 3, r: null },
      { id: 4, r: 0.5 },
    ]);
  });

  it("adds new enum labels on the target in the source's order before rows use them", async () => {
    await h.source.query("INSERT INTO people VALUES (1, 'a', 'sad', '{sad,happy}', 's1')");
    await waitForCatchUp(h, run);
    await h.source.query(`
      ALTER TYPE mood ADD VALUE 'ecstatic';
      ALTER TYPE mood ADD VALUE 'meh' BEFORE 'happy';
      ALTER TYPE mood ADD VALUE 'awful' BEFORE 'sad';
      ALTER TYPE mood ADD VALUE 'with "quote", comma';
    `);
    await h.source.query(`
      INSERT INTO people VALUES (2, 'b', 'meh', '{ecstatic}', 's2');
      INSERT INTO people VALUES (3, 'c', 'happy', ARRAY['awful', 'with "quote", comma']::mood[], 's3');
      UPDATE people SET m = 'ecstatic' WHERE id = 1;
    `);
    await waitForCatchUp(h, run);
    await expectSameData(h, [{ schema: "public", name: "people" }]);
    const labels = "SELECT array_agg(enumlabel::text ORDER BY enumsortorder) AS labels FROM pg_enum WHERE enumtypid = 'mood'::regtype";
    const [source, target] = await Promise.all([h.source.query(labels), h.target.query(labels)]);
    expect(target.rows[0].labels).toEqual(source.rows[0].labels);
    expect(target.rows[0].labels).toEqual(["awful", "sad", "meh", "happy", "ecstatic", 'with "quote", comma']);
    const secret = await h.target.query("SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'people'::regclass AND attname = 'secret'");
    expect(secret.rows[0].n).toBe(0);
  });

  it("creates a new enum type for a new column, and reports dropped columns and type changes", async () => {
    await h.source.query("INSERT INTO shrink VALUES (1, 'k', 'o', 1)");
    await waitForCatchUp(h, run);
    await h.source.query(`
      CREATE TYPE size AS ENUM ('s', 'm', 'l');
      ALTER TABLE shrink ADD COLUMN sz size;
      ALTER TABLE shrink DROP COLUMN old;
      ALTER TABLE shrink ALTER COLUMN n TYPE bigint;
    `);
    await h.source.query("INSERT INTO shrink VALUES (2, 'k2', 2, 'm')");
    await waitForCatchUp(h, run);
    const rows = await h.target.query("SELECT id, keep, old, n::text AS n, sz::text AS sz FROM shrink ORDER BY id");
    expect(rows.rows).toEqual([
      { id: 1, keep: "k", old: "o", n: "1", sz: null },
      { id: 2, keep: "k2", old: null, n: "2", sz: "m" },
    ]);
    const warnings = run.events.filter((e) => e.level === "warn").map((e) => e.message);
    expect(warnings.some((m) => /no longer sends column old/.test(m) && /DROP COLUMN "old"/.test(m))).toBe(true);
    expect(warnings.some((m) => /n of public.shrink is bigint on the source but integer/.test(m) && /ALTER COLUMN "n" TYPE bigint/.test(m))).toBe(true);
    expect(run.events.filter((e) => e.level === "error")).toEqual([]);
  });
});
