import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import { tableChecksum } from "@/tests/support/compare";
import { createMirrorTestbed, describeMirror, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";
import { waitFor } from "@/tests/support/wait";

/**
 * Issue 12, section 1: a partitioned source table arrives as a partitioned target table, and CDC
 * applies into it. Changes are published under the root's name (publish_via_partition_root), so the
 * applier writes to the target root and PostgreSQL routes each row to its leaf — including updates
 * that move a row to another partition.
 *
 * `readings` has no key: rows are found by their full old image, and one matching row is changed
 * by its physical address. Every leaf numbers its rows from (0,1), so the same ctid exists in each
 * partition (the rows below are laid out so that it does): the address must name the leaf too.
 * TRUNCATE is tested on the root only: PostgreSQL does not publish a leaf's own TRUNCATE when the
 * publication publishes via the root (README, "What is migrated").
 */
const TABLES: { table: QualifiedName; columns: string[] }[] = [
  { table: { schema: "app", name: "orders" }, columns: ["id", "region", "amount", "note"] },
  { table: { schema: "app", name: "readings" }, columns: ["sensor", "at", "value"] },
  { table: { schema: "flat", name: "logs" }, columns: ["id", "at", "msg"] },
];

describe("CDC into partitioned target tables", () => {
  let bed: MirrorTestbed;

  const converged = async () => {
    for (const { table, columns } of TABLES) {
      const [s, t] = await Promise.all([tableChecksum(bed.source, table, columns), tableChecksum(bed.target, table, columns).catch(() => null)]);
      if (JSON.stringify(s) !== JSON.stringify(t)) return false;
    }
    return true;
  };

  const waitConverged = async () => {
    try {
      await waitFor(converged, 40_000, 500);
    } catch (error) {
      const sides = await Promise.all(
        TABLES.map(async ({ table, columns }) => {
          const [s, t] = await Promise.all([tableChecksum(bed.source, table, columns), tableChecksum(bed.target, table, columns)]);
          return `${table.name}: source ${JSON.stringify(s)} target ${JSON.stringify(t)}`;
        }),
      );
      throw new Error(`${(error as Error).message}\n${sides.join("\n")}\n${await describeMirror(bed.catalog.prisma, "parts")}`);
    }
  };

  /** Rows per leaf of a table, as "leaf=count" sorted, to check rows landed in the right partition. */
  const leafCounts = async (side: "source" | "target", table: string) => {
    const { rows } = await bed[side].query<{ leaf: string; n: number }>(
      `SELECT tableoid::regclass::text AS leaf, count(*)::int AS n FROM ${table} GROUP BY 1 ORDER BY 1`,
    );
    return rows.map((row) => `${row.leaf}=${row.n}`);
  };

  beforeAll(async () => {
    bed = await createMirrorTestbed(`
      CREATE SCHEMA app;
      CREATE TABLE app.orders (id int NOT NULL, region text NOT NULL, amount int, note text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
      CREATE TABLE app.orders_eu PARTITION OF app.orders FOR VALUES IN ('eu');
      CREATE TABLE app.orders_us PARTITION OF app.orders FOR VALUES IN ('us');
      CREATE TABLE app.orders_rest PARTITION OF app.orders DEFAULT PARTITION BY HASH (id);
      CREATE TABLE app.orders_rest_0 PARTITION OF app.orders_rest FOR VALUES WITH (MODULUS 2, REMAINDER 0);
      CREATE TABLE app.orders_rest_1 PARTITION OF app.orders_rest FOR VALUES WITH (MODULUS 2, REMAINDER 1);
      INSERT INTO app.orders SELECT g, (ARRAY['eu', 'us', 'apac', 'latam'])[1 + g % 4], g, 'n' || g FROM generate_series(1, 2000) g;

      CREATE TABLE app.readings (sensor int, at date, value numeric) PARTITION BY RANGE (at);
      CREATE TABLE app.readings_2024 PARTITION OF app.readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE TABLE app.readings_2025 PARTITION OF app.readings FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      CREATE TABLE app.readings_other PARTITION OF app.readings DEFAULT;
      ALTER TABLE app.readings REPLICA IDENTITY FULL;
      ALTER TABLE app.readings_2024 REPLICA IDENTITY FULL;
      ALTER TABLE app.readings_2025 REPLICA IDENTITY FULL;
      ALTER TABLE app.readings_other REPLICA IDENTITY FULL;
      -- The same (sensor, value) in every leaf, in the same physical slots, plus duplicates.
      INSERT INTO app.readings SELECT g % 50, d, g % 50 FROM generate_series(1, 600) g, (VALUES ('2024-03-01'::date), ('2025-03-01'), ('2030-01-01')) AS v(d);

      CREATE SCHEMA flat;
      CREATE TABLE flat.logs (id int, at date, msg text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
      CREATE TABLE flat.logs_2024 PARTITION OF flat.logs FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE TABLE flat.logs_rest PARTITION OF flat.logs DEFAULT;
      CREATE INDEX logs_msg_idx ON flat.logs (msg);
      INSERT INTO flat.logs SELECT g, '2024-01-01'::date + g, 'm' || g % 10 FROM generate_series(1, 1000) g;
      ANALYZE;
    `);
    bed.startWorker();
    await bed.createMirror({
      name: "parts",
      mode: "cdc",
      tables: [{ source: "app.orders" }, { source: "app.readings" }, { source: "flat.logs", flatten: true }],
      // Post-data right after the load, so the partitioned targets' indexes exist while CDC applies.
      settings: { rowsPerPartition: 500, parallelCopyWorkers: 2, postData: "after_load" },
    });
    await waitForMirrorStatus(bed.catalog.prisma, "parts", "running");
  });

  afterAll(() => bed?.close());

  it("creates the target tables partitioned like the source", async () => {
    const partitions = `SELECT c.relname, c.relkind, pg_get_expr(c.relpartbound, c.oid) AS bound, (SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = c.oid) AS parent
                          FROM pg_class c WHERE c.relnamespace = 'app'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1`;
    const [s, t] = await Promise.all([bed.source.query(partitions), bed.target.query(partitions)]);
    expect(t.rows).toEqual(s.rows);
    await waitConverged();
    expect(await leafCounts("target", "app.orders")).toEqual(await leafCounts("source", "app.orders"));
  });

  it("applies inserts, updates, partition-moving updates and deletes to a table with a primary key", async () => {
    await bed.source.query(`
      INSERT INTO app.orders SELECT g, (ARRAY['eu', 'us', 'apac'])[1 + g % 3], g, 'late' FROM generate_series(5001, 5600) g;
      UPDATE app.orders SET amount = amount + 1, note = 'updated' WHERE id % 7 = 0;
      UPDATE app.orders SET region = 'us' WHERE region = 'eu' AND id % 5 = 0;
      UPDATE app.orders SET region = 'mars' WHERE region = 'us' AND id % 11 = 0;
      UPDATE app.orders SET id = id + 100000 WHERE region = 'apac' AND id % 9 = 0;
      DELETE FROM app.orders WHERE id % 13 = 0;
    `);
    await waitConverged();
    expect(await leafCounts("target", "app.orders")).toEqual(await leafCounts("source", "app.orders"));
  });

  it("changes exactly one row, in the right partition, of a keyless table with REPLICA IDENTITY FULL", async () => {
    await bed.source.query(`
      DELETE FROM app.readings_2024 WHERE ctid = (SELECT ctid FROM app.readings_2024 WHERE sensor = 1 LIMIT 1);
      DELETE FROM app.readings_2025 WHERE sensor = 2;
      UPDATE app.readings_other SET value = -1 WHERE ctid = (SELECT ctid FROM app.readings_other WHERE sensor = 3 LIMIT 1);
      UPDATE app.readings SET at = '2025-06-01' WHERE sensor = 4 AND at = '2024-03-01';
      UPDATE app.readings SET at = '2031-01-01', value = 99 WHERE (tableoid, ctid) = (SELECT tableoid, ctid FROM app.readings_2025 WHERE sensor = 5 LIMIT 1);
      INSERT INTO app.readings VALUES (1, '2024-03-01', 1), (6, '2025-03-01', 6), (NULL, '2030-01-01', NULL);
      DELETE FROM app.readings WHERE sensor IS NULL;
    `);
    await waitConverged();
    expect(await leafCounts("target", "app.readings")).toEqual(await leafCounts("source", "app.readings"));
  });

  it("flattens a partitioned table into one ordinary table on request, with its indexes", async () => {
    const { rows } = await bed.target.query(
      `SELECT c.relkind, (SELECT count(*)::int FROM pg_inherits WHERE inhparent = c.oid) AS partitions,
              ARRAY(SELECT pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' (invalid)' END FROM pg_index i WHERE i.indrelid = c.oid ORDER BY 1) AS indexes
         FROM pg_class c WHERE c.oid = 'flat.logs'::regclass`,
    );
    expect(rows[0]).toEqual({
      relkind: "r",
      partitions: 0,
      indexes: ["CREATE INDEX logs_msg_idx ON flat.logs USING btree (msg)", "CREATE UNIQUE INDEX logs_pkey ON flat.logs USING btree (id, at)"],
    });
    await bed.source.query(`
      UPDATE flat.logs SET at = '2030-01-01' WHERE id % 3 = 0;
      DELETE FROM flat.logs WHERE id % 7 = 0;
      INSERT INTO flat.logs VALUES (5000, '2024-02-02', 'new');
    `);
    await waitConverged();
  });

  it("applies TRUNCATE of a partitioned table to every target partition, then keeps replicating", async () => {
    await bed.source.query("TRUNCATE app.readings");
    await bed.source.query("INSERT INTO app.readings VALUES (7, '2024-05-05', 7), (7, '2024-05-05', 7), (8, '2025-05-05', 8)");
    await bed.source.query("DELETE FROM app.readings_2024 WHERE ctid = (SELECT ctid FROM app.readings_2024 LIMIT 1)");
    await waitConverged();
    expect(await leafCounts("target", "app.readings")).toEqual(["app.readings_2024=1", "app.readings_2025=1"]);
  });
});
