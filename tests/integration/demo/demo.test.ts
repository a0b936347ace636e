import { randomBytes } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { peerConnection } from "@/lib/catalog/peers";
import { keyFromSetting } from "@/lib/secrets/keys";
import { useKeyring as installKeyring } from "@/lib/secrets/secrets";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";
import { clusterInfo, connect, createDatabase, databaseUrl } from "@/tests/support/databases";
import { registerDemoPeer } from "@/scripts/demo/peers";
import { loadSampleData } from "@/scripts/demo/sample-data";
import { startWriteLoad } from "@/scripts/demo/write-load";

/** The demo's parts against the shared test servers, at a small scale. */
let database: string;
let client: pg.Client;

beforeAll(async () => {
  database = await createDatabase("source", "demo");
  client = await connect("source", database);
});

afterAll(async () => {
  await client.end();
});

describe("the sample shop", () => {
  test("loads mixed types, a table without a primary key, and the expected rows, once", async () => {
    expect(await loadSampleData(client, 0.02)).toBe(true);
    expect(await loadSampleData(client, 0.02)).toBe(false);

    const { rows: types } = await client.query<{ type: string }>(`
      select distinct format_type(a.atttypid, a.atttypmod) as type
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('shop', 'analytics') and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped`);
    expect(types.map((t) => t.type)).toEqual(
      expect.arrayContaining(["shop.order_status", "numeric(12,2)", "timestamp with time zone", "jsonb", "uuid", "text[]", "bytea"]),
    );

    const { rows: withoutKey } = await client.query<{ name: string }>(`
      select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('shop', 'analytics') and c.relkind = 'r'
        and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary)`);
    expect(withoutKey.map((r) => r.name)).toEqual(["analytics.page_views"]);

    const count = async (table: string) => Number((await client.query(`select count(*) from ${table}`)).rows[0].count);
    expect(await count("shop.customers")).toBe(400);
    expect(await count("shop.orders")).toBe(2000);
    expect(await count("shop.order_items")).toBe(5000);
    expect(await count("analytics.page_views")).toBe(2000);
    // Analysed, so the table picker has estimates.
    const { rows: estimates } = await client.query(`select reltuples from pg_class where oid = 'shop.orders'::regclass`);
    expect(estimates[0].reltuples).toBe(2000);
  });

  test("the write load inserts and updates until stopped, then closes its session", async () => {
    const before = Number((await client.query("select count(*) from shop.orders")).rows[0].count);
    const load = startWriteLoad(databaseUrl(clusterInfo("source"), database), 20);
    await expect.poll(() => load.writes(), { timeout: 10_000 }).toBeGreaterThanOrEqual(8);
    await load.stop();
    await load.stop();
    const after = Number((await client.query("select count(*) from shop.orders")).rows[0].count);
    expect(after).toBeGreaterThan(before);
    const { rows } = await client.query(`select count(*)::int as n from pg_stat_activity where application_name = 'demo-shop-writer'`);
    expect(rows[0].n).toBe(0);
  });
});

describe("demo peers", () => {
  let catalog: TestCatalog;
  beforeAll(async () => {
    catalog = await createTestCatalog();
    installKeyring({ current: keyFromSetting(randomBytes(32).toString("hex")), previous: [] });
  });
  afterAll(() => catalog.close());

  test("are created validated on first run and updated on the next", async () => {
    const url = databaseUrl(clusterInfo("source"), database);
    const first = await registerDemoPeer(catalog.prisma, "demo_source", url);
    expect(first.validation.usableAsCdcSource).toBe(true);
    expect(first.peer).toMatchObject({ name: "demo_source", database, tlsMode: "disable" });
    const again = await registerDemoPeer(catalog.prisma, "demo_source", url);
    expect(again.peer.id).toBe(first.peer.id);
    const row = await catalog.prisma.peer.findUniqueOrThrow({ where: { name: "demo_source" } });
    expect(peerConnection(row).password).toBe(clusterInfo("source").password);
    expect(await catalog.prisma.peer.count()).toBe(1);
  });
});
