import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoadEnv, loadEnv, mapping, q } from "./helpers";
import { describeTable } from "@/lib/pg/describe";
import { clearMirrorBookkeeping, ensureBookkeeping, listDonePartitions } from "@/lib/mirrors/target-bookkeeping";
import { checkTargetTables, ensurePrimaryKeys, ensureTargetTables, truncateTargetTables } from "@/workers/load/target-ddl";

let env: LoadEnv;

beforeAll(async () => {
  env = await loadEnv("ddl");
  await env.source.query(`
    CREATE SCHEMA app;
    CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
    CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
    CREATE FUNCTION app.is_even(int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 % 2 = 0';
    CREATE DOMAIN app.even AS integer CHECK (app.is_even(VALUE));
    CREATE TYPE app.pair AS (a app.mood, b int[]);
    CREATE TABLE app.things (
      id uuid PRIMARY KEY,
      n numeric(10,3) NOT NULL,
      v varchar(12) COLLATE "POSIX",
      at timestamptz,
      span interval,
      doc jsonb,
      j json,
      raw bytea,
      ip inet,
      r int4range,
      tags text[],
      grid int[][],
      moods app.mood[],
      mood app.mood,
      pos app.positive,
      ev app.even,
      pr app.pair,
      secret text,
      total numeric GENERATED ALWAYS AS (n * 2) STORED
    );
    CREATE TABLE app.parted (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    CREATE TABLE app.parted_1 PARTITION OF app.parted FOR VALUES FROM ('2020-01-01') TO ('2030-01-01');
    CREATE TABLE app.plain (k text PRIMARY KEY, v int NOT NULL);
  `);
  // The target already has the enum with fewer labels and one extra: labels are added, not replaced.
  await env.target.query(`CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('ok', 'angry')`);
});

afterAll(async () => {
  await env.close();
});

const things = mapping(q("app", "things"), q("copy", "Things Copy"), ["secret"]);

describe("ensureTargetTables", () => {
  it("creates schemas, types and tables with the source's exact column types", async () => {
    const result = await ensureTargetTables(env.source, env.target, [things, mapping(q("app", "parted"))]);
    expect(result.created).toEqual([q("copy", "Things Copy"), q("app", "parted")]);
    // app.even's CHECK calls a function the target lacks: the domain exists, without the check.
    expect(result.warnings).toEqual([expect.stringMatching(/domain app\.even was created without/)]);

    const source = await describeTable(env.source, q("app", "things"));
    const target = await describeTable(env.target, q("copy", "Things Copy"));
    const strip = (cols: typeof source.columns) =>
      cols.map(({ name, type, collation, notNull, generated }) => ({ name, type, collation, notNull, generated }));
    expect(strip(target.columns)).toEqual(strip(source.columns.filter((c) => c.name !== "secret")));
    expect(target.primaryKey).toEqual(["id"]);
    expect(target.columns.find((c) => c.name === "v")!.collation).toBe('pg_catalog."POSIX"');

    const labels = await env.target.query("SELECT array_agg(enumlabel ORDER BY enumsortorder)::text[] AS l FROM pg_enum WHERE enumtypid = 'app.mood'::regtype");
    expect(labels.rows[0].l).toEqual(["sad", "ok", "happy", "angry"]);
    const domain = await env.target.query("SELECT count(*)::int AS n FROM pg_constraint WHERE contypid = 'app.positive'::regtype");
    expect(domain.rows[0].n).toBe(1);

    const parted = await describeTable(env.target, q("app", "parted"));
    expect(parted.kind).toBe("partitioned");
    expect(parted.primaryKey).toEqual(["id", "at"]);
  });

  it("is idempotent and accepts compatible empty tables", async () => {
    const again = await ensureTargetTables(env.source, env.target, [things, mapping(q("app", "parted"))]);
    expect(again.created).toEqual([]);
    expect(again.existing).toHaveLength(2);
    await expect(checkTargetTables(env.source, env.target, [things])).resolves.toBeUndefined();
  });

  it("refuses a non-empty target table unless this mirror's bookkeeping wrote it; truncate clears it", async () => {
    await env.target.query(`INSERT INTO app.parted VALUES (1, '2024-01-01')`);
    await expect(ensureTargetTables(env.source, env.target, [mapping(q("app", "parted"))])).rejects.toThrow(
      /target table app\.parted \(for app\.parted\) already contains rows/,
    );
    await ensureBookkeeping(env.target);
    await env.target.query(`INSERT INTO _pgferry.load_partitions (mirror, partition_key, rows) VALUES ('m1', '["app","parted_1",0,null]', 1)`);
    await expect(checkTargetTables(env.source, env.target, [mapping(q("app", "parted"))], { mirror: "m1" })).resolves.toBeUndefined();
    await expect(checkTargetTables(env.source, env.target, [mapping(q("app", "parted"))], { mirror: "m2" })).rejects.toThrow(/already contains rows/);

    await truncateTargetTables(env.target, [mapping(q("app", "parted")), mapping(q("app", "missing"))]);
    expect(await clearMirrorBookkeeping(env.target, "m1")).toBe(1);
    expect(await listDonePartitions(env.target, "m1")).toEqual([]);
    await expect(checkTargetTables(env.source, env.target, [mapping(q("app", "parted"))])).resolves.toBeUndefined();
  });

  it("names the table and each incompatibility", async () => {
    await env.target.query(`CREATE TABLE app.plain (k varchar(5), extra int NOT NULL)`);
    const error = await checkTargetTables(env.source, env.target, [mapping(q("app", "plain"))]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('target table app.plain (for app.plain) column "k" is character varying(5) but the source has text');
    expect(message).toContain('has no column "v" (integer)');
    expect(message).toContain('column "extra" is NOT NULL without a default');
    // Nothing is created when the check fails.
    await env.target.query("DROP TABLE app.plain");
  });

  it("can defer the primary key to after the load", async () => {
    const m = mapping(q("app", "plain"), q("deferred", "plain"));
    const { plans } = await ensureTargetTables(env.source, env.target, [m], { deferPrimaryKey: true });
    expect((await describeTable(env.target, m.target)).primaryKey).toEqual([]);
    await ensurePrimaryKeys(env.target, plans);
    await ensurePrimaryKeys(env.target, plans);
    expect((await describeTable(env.target, m.target)).primaryKey).toEqual(["k"]);
  });

  it("rejects mappings that cannot work", async () => {
    await expect(ensureTargetTables(env.source, env.target, [mapping(q("app", "plain"), q("app", "plain"), ["k"])])).rejects.toThrow(
      /part of the primary key/,
    );
    await expect(ensureTargetTables(env.source, env.target, [mapping(q("app", "plain"), q("app", "plain"), ["nope"])])).rejects.toThrow(
      /excluded column "nope" does not exist/,
    );
    await expect(
      ensureTargetTables(env.source, env.target, [mapping(q("app", "plain"), q("x", "y")), mapping(q("app", "parted"), q("x", "y"))]),
    ).rejects.toThrow(/both mapped to target table x\.y/);
    await expect(ensureTargetTables(env.source, env.target, [mapping(q("app", "plain"), q("app", "ü".repeat(32)))])).rejects.toThrow(
      /longer than 63 bytes/,
    );
  });
});
