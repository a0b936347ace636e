import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropPublication, dropSlot } from "@/lib/pg/replication";
import { runLoadInProcess } from "@/workers/load/in-process-load";
import { tableChecksum } from "@/tests/support/compare";
import { isSnapshotGoneError } from "@/lib/errors/snapshot-gone";
import { connect, expectSameRows, type LoadEnv, loadEnv, mapping, q } from "./helpers";

let env: LoadEnv;

beforeAll(async () => {
  env = await loadEnv("consistency");
});

afterAll(async () => {
  await dropSlot(env.source, "pgferry_consistency_cdc");
  await dropPublication(env.source, "pgferry_consistency_cdc");
  await env.close();
});

const COLUMNS = ["id", "v", "doc"];

/**
 * Writes on the source right after the snapshot was exported: inserts (into new blocks), updates
 * (new row versions in other blocks, including a TOASTed value), deletes followed by VACUUM
 * (which must not remove rows the snapshot still sees).
 */
async function changeEverything(schema: string) {
  await env.source.query(`
    INSERT INTO ${schema}.items SELECT g, 'late', NULL FROM generate_series(20001, 25000) g;
    UPDATE ${schema}.items SET v = 'updated' WHERE id % 10 = 0;
    UPDATE ${schema}.items SET doc = repeat('changed', 100000) WHERE id = 1;
    DELETE FROM ${schema}.items WHERE id BETWEEN 15000 AND 19000;
    DELETE FROM ${schema}.side;
  `);
  await env.source.query(`VACUUM ${schema}.items`);
}

describe("the initial load reads exactly the snapshot", () => {
  for (const mode of ["cdc", "initial_load_only"] as const) {
    it(`ignores every change made after the snapshot (${mode})`, async () => {
      const schema = `s_${mode}`;
      await env.source.query(`
        CREATE SCHEMA ${schema};
        CREATE TABLE ${schema}.items (id int PRIMARY KEY, v text, doc text);
        INSERT INTO ${schema}.items SELECT g, 'v' || g, CASE WHEN g = 1 THEN repeat('orig', 200000) END FROM generate_series(1, 20000) g;
        CREATE TABLE ${schema}.side (id int PRIMARY KEY);
        INSERT INTO ${schema}.side SELECT generate_series(1, 100);
        ANALYZE ${schema}.items;
      `);
      const items = q(schema, "items");
      let atSnapshot: Awaited<ReturnType<typeof tableChecksum>> | null = null;
      await runLoadInProcess({
        source: env.sourcePeer,
        target: env.targetPeer,
        mapping: [mapping(items), mapping(q(schema, "side"))],
        mode,
        mirror: `consistency_${mode}`,
        settings: { rowsPerPartition: 3000, parallelCopyWorkers: 2 },
        afterSnapshot: async () => {
          atSnapshot = await tableChecksum(env.source, items, COLUMNS);
          await changeEverything(schema);
        },
      });
      const now = await tableChecksum(env.source, items, COLUMNS);
      const copied = await tableChecksum(env.target, items, COLUMNS);
      expect(atSnapshot).not.toBeNull();
      expect(now).not.toEqual(atSnapshot);
      expect(copied).toEqual(atSnapshot);
      expect(copied.count).toBe(20000);
      const side = await env.target.query(`SELECT count(*)::int AS n FROM ${schema}.side`);
      expect(side.rows[0].n).toBe(100);
    });
  }

  it("refuses to read a table truncated after the snapshot, and a rerun copies its new state", async () => {
    await env.source.query(`
      CREATE SCHEMA rewritten;
      CREATE TABLE rewritten.a (id int PRIMARY KEY);
      INSERT INTO rewritten.a SELECT generate_series(1, 1000);
      CREATE TABLE rewritten.b (id int PRIMARY KEY, v text);
      INSERT INTO rewritten.b SELECT g, 'x' FROM generate_series(1, 1000) g;
    `);
    const run = (afterSnapshot?: () => Promise<void>) =>
      runLoadInProcess({
        source: env.sourcePeer,
        target: env.targetPeer,
        mapping: [mapping(q("rewritten", "a")), mapping(q("rewritten", "b"))],
        mode: "initial_load_only",
        mirror: "rewritten",
        afterSnapshot,
      });
    // TRUNCATE and VACUUM FULL are not MVCC-safe: an older snapshot would read the new, empty or
    // reshuffled storage. The copy notices and asks for a restart instead of copying wrong data.
    const error = await run(async () => {
      await env.source.query("TRUNCATE rewritten.a");
      await env.source.query("VACUUM FULL rewritten.b");
    }).catch((e: unknown) => e);
    expect(isSnapshotGoneError(error)).toBe(true);
    expect((error as Error).message).toMatch(/rewritten\.(a|b) was truncated or rewritten/);

    await run();
    expect(await expectSameRows(env, mapping(q("rewritten", "a")))).toBe(0);
    expect(await expectSameRows(env, mapping(q("rewritten", "b")))).toBe(1000);
  });

  it("with lockSourceTables, makes a TRUNCATE wait until the load is done", async () => {
    await env.source.query(`
      CREATE SCHEMA locked;
      CREATE TABLE locked.a (id int PRIMARY KEY);
      INSERT INTO locked.a SELECT generate_series(1, 1000);
    `);
    const other = await connect("source", env.sourcePeer.database);
    try {
      await runLoadInProcess({
        source: env.sourcePeer,
        target: env.targetPeer,
        mapping: [mapping(q("locked", "a"))],
        mode: "initial_load_only",
        mirror: "locked",
        lockSourceTables: true,
        afterSnapshot: async () => {
          await other.query("SET lock_timeout = 200");
          await expect(other.query("TRUNCATE locked.a")).rejects.toMatchObject({ code: "55P03" });
        },
      });
      expect(await expectSameRows(env, mapping(q("locked", "a")))).toBe(1000);
      await other.query("TRUNCATE locked.a");
    } finally {
      await other.end();
    }
  });
});
