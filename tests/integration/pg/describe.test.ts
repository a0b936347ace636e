import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, createDatabase } from "@/tests/support/databases";
import { copiedColumns, describeTable, describeTables } from "@/lib/pg/describe";

let client: pg.Client;

beforeAll(async () => {
  client = await connect("source", await createDatabase("source", "describe"));
  await client.query(`
    CREATE SCHEMA "Shop";
    CREATE TYPE "Shop"."Mood" AS ENUM ('sad', 'ok', 'happy');
    ALTER TYPE "Shop"."Mood" ADD VALUE 'meh' BEFORE 'ok';
    CREATE DOMAIN public.positive AS integer NOT NULL DEFAULT 1 CHECK (VALUE > 0);
    CREATE TYPE public.address AS (street text, mood "Shop"."Mood"[], num public.positive);
    CREATE TYPE public.floatrange AS RANGE (subtype = float8);
    CREATE TABLE "Shop"."Orders" (
      id bigint GENERATED ALWAYS AS IDENTITY,
      region text NOT NULL,
      price numeric(12,2) DEFAULT 0,
      name varchar(40) COLLATE "C",
      moods "Shop"."Mood"[],
      addr public.address,
      qty public.positive,
      span public.floatrange,
      spans public.floatmultirange,
      at timestamptz,
      upper_name text GENERATED ALWAYS AS (upper(name)) STORED,
      dropped int,
      PRIMARY KEY (region, id)
    );
    ALTER TABLE "Shop"."Orders" DROP COLUMN dropped;
    ALTER TABLE "Shop"."Orders" REPLICA IDENTITY FULL;
    INSERT INTO "Shop"."Orders" (region, name) SELECT 'eu', 'n' || g FROM generate_series(1, 1000) g;
    ANALYZE "Shop"."Orders";

    CREATE TABLE public.events (id int NOT NULL, at date NOT NULL, payload jsonb) PARTITION BY RANGE (at);
    CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
      PARTITION BY LIST (id);
    CREATE TABLE public.events_2025_a PARTITION OF public.events_2025 FOR VALUES IN (1, 2, 3);
    CREATE TABLE public.events_2025_b PARTITION OF public.events_2025 DEFAULT;
    INSERT INTO public.events SELECT g, date '2024-06-01' + (g % 400), '{}' FROM generate_series(1, 3000) g;
    ANALYZE public.events;

    CREATE TABLE public.fresh (id int) WITH (autovacuum_enabled = false);
    INSERT INTO public.fresh SELECT generate_series(1, 500);
    CREATE UNIQUE INDEX fresh_id ON public.fresh (id);
    ALTER TABLE public.fresh ALTER id SET NOT NULL, REPLICA IDENTITY USING INDEX fresh_id;
    CREATE VIEW public.v AS SELECT 1 AS x;
  `);
});

afterAll(async () => {
  await client.end();
});

describe("describeTables", () => {
  it("describes columns with exact, schema-qualified types", async () => {
    const table = await describeTable(client, { schema: "Shop", name: "Orders" });
    expect(table.kind).toBe("table");
    expect(table.columns.map((c) => [c.name, c.type])).toEqual([
      ["id", "bigint"],
      ["region", "text"],
      ["price", "numeric(12,2)"],
      ["name", "character varying(40)"],
      ["moods", '"Shop"."Mood"[]'],
      ["addr", "public.address"],
      ["qty", "public.positive"],
      ["span", "public.floatrange"],
      ["spans", "public.floatmultirange"],
      ["at", "timestamp with time zone"],
      ["upper_name", "text"],
    ]);
    const byName = Object.fromEntries(table.columns.map((c) => [c.name, c]));
    expect(byName.id.identity).toBe("always");
    expect(byName.id.notNull).toBe(true);
    expect(byName.region.notNull).toBe(true);
    expect(byName.price.defaultExpression).toBe("0");
    expect(byName.name.collation).toBe('pg_catalog."C"');
    expect(byName.region.collation).toBeNull();
    expect(byName.upper_name.generated).toEqual({ kind: "stored", expression: "upper((name)::text)" });
    expect(byName.moods).toMatchObject({ isArray: true, userType: { kind: "enum", schema: "Shop", name: "Mood" } });
    expect(byName.addr).toMatchObject({ isArray: false, userType: { kind: "composite", name: "address" } });
    expect(byName.qty.userType).toMatchObject({ kind: "domain", name: "positive" });
    expect(byName.spans.userType).toMatchObject({ kind: "range", name: "floatrange" });
    expect(byName.at.userType).toBeNull();
    expect(table.primaryKey).toEqual(["region", "id"]);
    expect(table.replicaIdentity).toBe("full");
    expect(table.estimatedRows).toBe(1000);
    expect(table.leaves[0].rowsFromFallback).toBe(false);
    expect(table.sizeBytes).toBeGreaterThan(0);
    expect(copiedColumns(table, ["name"]).map((c) => c.name)).not.toContain("upper_name");
  });

  it("collects the user types in dependency order with their definitions", async () => {
    const { types, schemas } = await describeTables(client, [{ schema: "Shop", name: "Orders" }]);
    const names = types.map((t) => `${t.schema}.${t.name}`);
    expect(names).toEqual(["Shop.Mood", "public.positive", "public.address", "public.floatrange"]);
    expect(types[0]).toMatchObject({ kind: "enum", labels: ["sad", "meh", "ok", "happy"] });
    expect(types[1]).toMatchObject({
      kind: "domain",
      baseType: "integer",
      notNull: true,
      defaultExpression: "1",
      checks: [{ name: "positive_check", definition: "CHECK ((VALUE > 0))" }],
    });
    expect(types[2]).toMatchObject({
      kind: "composite",
      attributes: [
        { name: "street", type: "text" },
        { name: "mood", type: '"Shop"."Mood"[]' },
        { name: "num", type: "public.positive" },
      ],
    });
    expect(types[3]).toMatchObject({ kind: "range", subtype: "double precision", multirangeName: "floatmultirange" });
    expect(schemas).toEqual(["Shop", "public"]);
  });

  it("describes a partitioned table through all its leaf partitions", async () => {
    const table = await describeTable(client, { schema: "public", name: "events" });
    expect(table.kind).toBe("partitioned");
    expect(table.partitionStrategy).toBe("range");
    expect(table.leaves.map((l) => l.name.name)).toEqual(["events_2024", "events_2025_a", "events_2025_b"]);
    expect(table.estimatedRows).toBe(3000);
    expect(table.primaryKey).toEqual([]);
    expect(table.replicaIdentity).toBe("default");
  });

  it("falls back to the statistics collector for never-analyzed tables", async () => {
    // The statistics collector publishes counts at transaction end, with a short delay.
    await expect.poll(async () => (await describeTable(client, { schema: "public", name: "fresh" })).estimatedRows, { timeout: 10_000 }).toBe(500);
    const table = await describeTable(client, { schema: "public", name: "fresh" });
    expect(table.leaves[0].rowsFromFallback).toBe(true);
    expect(table.replicaIdentity).toBe("index");
    expect(table.replicaIdentityColumns).toEqual(["id"]);
  });

  it("names the table when it is missing or not a table", async () => {
    await expect(describeTable(client, { schema: "public", name: "nope" })).rejects.toThrow(/public\.nope does not exist/);
    await expect(describeTable(client, { schema: "public", name: "v" })).rejects.toThrow(/public\.v is not a table/);
  });

  it("describes many tables in one pass exactly as one at a time, and names the first at fault", async () => {
    const names = [{ schema: "public", name: "fresh" }, { schema: "Shop", name: "Orders" }, { schema: "public", name: "events" }];
    const together = await describeTables(client, names);
    const alone = [];
    for (const name of names) alone.push((await describeTables(client, [name])).tables[0]);
    expect(together.tables).toEqual(alone);
    await expect(describeTables(client, [names[0], { schema: "public", name: "v" }, { schema: "public", name: "nope" }])).rejects.toThrow(/public\.v is not a table/);
    await expect(describeTables(client, [{ schema: "public", name: "nope" }, { schema: "public", name: "v" }])).rejects.toThrow(/public\.nope does not exist/);
  });
});
