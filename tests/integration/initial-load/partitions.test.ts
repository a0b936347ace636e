import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, createDatabase } from "@/tests/support/databases";
import { leafOfPartitionKey, partitionKey } from "@/lib/mirrors/target-bookkeeping";
import { type Partition, partitionSelect, planPartitions } from "@/workers/load/partitions";

let client: pg.Client;

beforeAll(async () => {
  client = await connect("source", await createDatabase("source", "partitions"));
  await client.query(`
    CREATE TABLE big (id int PRIMARY KEY, filler text);
    INSERT INTO big SELECT g, repeat('x', 60) FROM generate_series(1, 50000) g;
    ANALYZE big;
    CREATE TABLE unanalyzed (id int, filler text) WITH (autovacuum_enabled = false);
    INSERT INTO unanalyzed SELECT g, repeat('y', 60) FROM generate_series(1, 20000) g;
    CREATE TABLE small (id int);
    INSERT INTO small VALUES (1), (2);
    CREATE TABLE empty (id int);
    CREATE TABLE parted (id int, k int) PARTITION BY RANGE (k);
    CREATE TABLE parted_a PARTITION OF parted FOR VALUES FROM (0) TO (10);
    CREATE TABLE parted_b PARTITION OF parted FOR VALUES FROM (10) TO (20);
    INSERT INTO parted SELECT g, g % 20 FROM generate_series(1, 40000) g;
    ANALYZE parted;
  `);
});

afterAll(async () => {
  await client.end();
});

const table = (name: string, leaves = [name]) => ({
  source: { schema: "public", name },
  leaves: leaves.map((l) => ({ schema: "public", name: l })),
});

async function countOf(partition: Partition): Promise<number> {
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM (${partitionSelect(partition, ["id"])}) p`);
  return rows[0].n;
}

async function countsOf(partitions: Partition[]): Promise<number[]> {
  const counts: number[] = [];
  for (const partition of partitions) counts.push(await countOf(partition));
  return counts;
}

describe("planPartitions", () => {
  it("cuts a table into contiguous block ranges, the last one open-ended, covering every row once", async () => {
    const partitions = await planPartitions(client, table("big"), { rowsPerPartition: 10_000 });
    expect(partitions.length).toBeGreaterThanOrEqual(4);
    expect(partitions.length).toBeLessThanOrEqual(6);
    expect(partitions[0].startBlock).toBe(0);
    for (let i = 1; i < partitions.length; i++) expect(partitions[i].startBlock).toBe(partitions[i - 1].endBlock);
    expect(partitions.at(-1)!.endBlock).toBeNull();
    expect(partitions.map((p) => p.index)).toEqual(partitions.map((_, i) => i));
    const counts = await countsOf(partitions);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(50_000);
    for (const n of counts) expect(n).toBeGreaterThan(5_000);
    // JSON round trip: partitions are plain data.
    expect(JSON.parse(JSON.stringify(partitions))).toEqual(partitions);
  });

  it("reads each partition with a TID Range Scan, never a full scan", async () => {
    const partitions = await planPartitions(client, table("big"), { rowsPerPartition: 10_000 });
    for (const partition of partitions) {
      const plan = (await client.query(`EXPLAIN ${partitionSelect(partition, ["id", "filler"])}`)).rows.map((r) => r["QUERY PLAN"]).join("\n");
      expect(plan).toMatch(/^Tid Range Scan on big/);
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });

  it("still covers rows written after planning in new blocks", async () => {
    const partitions = await planPartitions(client, table("big"), { rowsPerPartition: 10_000 });
    await client.query("INSERT INTO big SELECT g, repeat('z', 60) FROM generate_series(50001, 60000) g");
    try {
      const counts = await countsOf(partitions);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(60_000);
    } finally {
      await client.query("DELETE FROM big WHERE id > 50000");
    }
  });

  it("estimates never-analyzed tables by sampling pages", async () => {
    const partitions = await planPartitions(client, table("unanalyzed"), { rowsPerPartition: 5_000 });
    const estimated = partitions.reduce((sum, p) => sum + p.estimatedRows, 0);
    expect(estimated).toBeGreaterThan(15_000);
    expect(estimated).toBeLessThan(25_000);
    expect(partitions.length).toBeGreaterThanOrEqual(3);
  });

  it("gives small and empty tables one whole-table partition", async () => {
    for (const name of ["small", "empty"]) {
      const partitions = await planPartitions(client, table(name));
      expect(partitions).toEqual([
        { sourceTable: { schema: "public", name }, sourceRelation: { schema: "public", name }, startBlock: 0, endBlock: null, index: 0, estimatedRows: expect.any(Number) },
      ]);
      expect(partitionSelect(partitions[0], ["id"])).toBe(`SELECT "id" FROM ONLY "public"."${name}"`);
    }
  });

  it("plans every leaf of a partitioned table, numbering partitions per table", async () => {
    const partitions = await planPartitions(client, table("parted", ["parted_a", "parted_b"]), { rowsPerPartition: 8_000 });
    expect(new Set(partitions.map((p) => p.sourceRelation.name))).toEqual(new Set(["parted_a", "parted_b"]));
    expect(partitions.every((p) => p.sourceTable.name === "parted")).toBe(true);
    expect(partitions.map((p) => p.index)).toEqual(partitions.map((_, i) => i));
    const counts = await countsOf(partitions);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40_000);
  });
});

describe("partitionKey", () => {
  it("is unambiguous for odd names and names its leaf", () => {
    const a = partitionKey({ sourceRelation: { schema: "a:b", name: "c" }, startBlock: 0, endBlock: 10 });
    const b = partitionKey({ sourceRelation: { schema: "a", name: "b:c" }, startBlock: 0, endBlock: 10 });
    expect(a).not.toBe(b);
    expect(leafOfPartitionKey(a)).toEqual({ schema: "a:b", name: "c" });
    expect(leafOfPartitionKey("garbage")).toBeNull();
  });
});
