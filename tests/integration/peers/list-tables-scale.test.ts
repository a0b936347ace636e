import type pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { connectPeer } from "@/lib/pg/connect";
import { listTables } from "@/lib/pg/introspect/tables";
import { connect, createDatabase, peerConnection } from "@/tests/support/databases";

/** 1000 plain tables and 20 partitioned tables of 10 partitions each (200 leaves not to be listed). */
const CREATE_MANY = `
  do $$
  begin
    for i in 1..1000 loop
      execute format('create table many.t%s (id bigint primary key, name text not null, amount numeric(10,2), tags text[], at timestamptz)', i);
    end loop;
    for i in 1..20 loop
      execute format('create table many.p%s (id bigint, k int, primary key (id, k)) partition by list (k)', i);
      for j in 1..10 loop
        execute format('create table many.p%s_%s partition of many.p%s for values in (%s)', i, j, i, j);
      end loop;
    end loop;
  end $$`;

let client: pg.Client;

beforeAll(async () => {
  const database = await createDatabase("source", "many");
  const admin = await connect("source", database);
  await admin.query("create schema many");
  await admin.query(CREATE_MANY);
  await admin.end();
  client = await connectPeer(peerConnection("source", database), "test:many");
});

afterAll(async () => {
  await client?.end();
});

test("lists 1000+ tables in a constant number of queries, quickly", async () => {
  let queries = 0;
  const counting = {
    query: ((...args: Parameters<pg.Client["query"]>) => {
      queries += 1;
      return (client.query as (...a: unknown[]) => unknown)(...args);
    }) as pg.Client["query"],
  };

  const started = performance.now();
  const { tables } = await listTables(counting);
  const elapsed = performance.now() - started;

  expect(queries).toBe(3);
  expect(tables).toHaveLength(1020);
  expect(tables.filter((t) => t.kind === "partitioned").every((t) => t.partitions === 10)).toBe(true);
  expect(tables.every((t) => t.columns.length >= 2 && t.primaryKey.length >= 1)).toBe(true);
  // Measured well under a second on a 2-core machine; the bound leaves room for a busy CI host.
  expect(elapsed).toBeLessThan(5_000);
  console.info(`listTables: ${tables.length} tables in ${Math.round(elapsed)} ms`);
});
