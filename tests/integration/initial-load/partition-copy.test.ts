import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeTables } from "@/lib/pg/describe";
import { type ExportedSnapshot, exportSnapshot } from "@/lib/pg/snapshot";
import { connect, expectSameRows, type LoadEnv, loadEnv, mapping, q } from "./helpers";
import { listDonePartitions } from "@/lib/mirrors/target-bookkeeping";
import { isSnapshotGoneError } from "@/lib/errors/snapshot-gone";
import { type CopyProgress, copyPartition, type CopyPartitionOptions } from "@/workers/load/partition-copy";
import { partitionKey } from "@/lib/mirrors/target-bookkeeping";
import { type Partition, planPartitions } from "@/workers/load/partitions";
import { buildTablePlans, type TableLoadPlan } from "@/lib/mirrors/table-plan";
import { ensureTargetTablesFor } from "@/workers/load/target-ddl";

let env: LoadEnv;
let snapshot: ExportedSnapshot;
let plan: TableLoadPlan;
let partitions: Partition[];
const big = mapping(q("public", "big"));

beforeAll(async () => {
  env = await loadEnv("copy");
  await env.source.query(`
    CREATE TABLE big (id int PRIMARY KEY, v text, f float8);
    INSERT INTO big SELECT g, md5(g::text), g / 7.0 FROM generate_series(1, 50000) g;
    ANALYZE big;
  `);
  const description = await describeTables(env.source, [big.source]);
  [plan] = buildTablePlans(description, [big]);
  await ensureTargetTablesFor(env.target, description, [plan]);
  snapshot = await exportSnapshot(env.sourcePeer);
  partitions = await planPartitions(env.source, plan, { rowsPerPartition: 10_000 });
});

afterAll(async () => {
  await snapshot.close();
  await env.close();
});

const options = (partition: Partition, extra: Partial<CopyPartitionOptions> = {}): CopyPartitionOptions => ({
  mirror: "m",
  source: env.sourcePeer,
  target: env.targetPeer,
  snapshotName: snapshot.snapshotName,
  table: plan,
  partition,
  ...extra,
});

const targetCount = async () => (await env.target.query("SELECT count(*)::int AS n FROM big")).rows[0].n as number;

describe("copyPartition", () => {
  it("has enough partitions to exercise", () => {
    expect(partitions.length).toBeGreaterThanOrEqual(4);
  });

  it("copies one partition in binary, reports progress, and skips it when run again", async () => {
    const progress: CopyProgress[] = [];
    const first = await copyPartition(options(partitions[0], { onProgress: (p) => progress.push(p) }));
    expect(first).toMatchObject({ skipped: false, format: "binary" });
    expect(first.rows).toBeGreaterThan(5_000);
    expect(first.bytes).toBeGreaterThan(first.rows * 20);
    expect(progress.at(-1)).toEqual({ bytes: first.bytes, rows: first.rows, done: true });
    expect(await targetCount()).toBe(first.rows);

    const again = await copyPartition(options(partitions[0]));
    expect(again).toMatchObject({ skipped: true, rows: first.rows, bytes: 0 });
    expect(await targetCount()).toBe(first.rows);
    const done = await listDonePartitions(env.target, "m");
    expect(done).toEqual([{ partitionKey: partitionKey(partitions[0]), rows: first.rows, doneAt: expect.any(Date) }]);
  });

  it("applies a partition once when two workers run it at the same time", async () => {
    const before = await targetCount();
    const results = await Promise.all([copyPartition(options(partitions[1])), copyPartition(options(partitions[1]))]);
    expect(results.map((r) => r.skipped).sort()).toEqual([false, true]);
    expect(await targetCount()).toBe(before + results.find((r) => !r.skipped)!.rows);
  });

  it("leaves nothing behind when aborted midway, and copies the partition on retry", async () => {
    // A target trigger that stalls on one row holds the COPY in the middle of the partition.
    const stallId = await env.source.query(
      `SELECT min(id) + 2000 AS id FROM big WHERE ctid >= '(${partitions[2].startBlock},0)' AND ctid < '(${partitions[2].endBlock},0)'`,
    );
    await env.target.query(`
      CREATE FUNCTION stall() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = ${Number(stallId.rows[0].id)} THEN PERFORM pg_sleep(2); END IF; RETURN NEW; END $$;
      CREATE TRIGGER stall BEFORE INSERT ON big FOR EACH ROW EXECUTE FUNCTION stall();
    `);
    const before = await targetCount();
    const controller = new AbortController();
    const progress: CopyProgress[] = [];
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("stop requested")), 500);
    const copy = copyPartition(options(partitions[2], { signal: controller.signal, progressIntervalMs: 100, onProgress: (p) => progress.push(p) }));
    await expect(copy).rejects.toThrow("stop requested");
    expect(Date.now() - started).toBeLessThan(1500);
    expect(progress.some((p) => p.bytes > 0 && p.rows > 0 && !p.done)).toBe(true);
    await env.target.query("DROP TRIGGER stall ON big; DROP FUNCTION stall()");

    expect(await targetCount()).toBe(before);
    expect((await listDonePartitions(env.target, "m")).map((d) => d.partitionKey)).not.toContain(partitionKey(partitions[2]));
    const retry = await copyPartition(options(partitions[2]));
    expect(retry.skipped).toBe(false);
    expect(await targetCount()).toBe(before + retry.rows);
  });

  it("copies in text format when asked", async () => {
    const result = await copyPartition(options(partitions[3], { format: "text" }));
    expect(result).toMatchObject({ skipped: false, format: "text" });
    expect(result.rows).toBeGreaterThan(5_000);
  });

  it("fails with the target's error when it rejects a row midway, and leaves nothing", async () => {
    const last = partitions.at(-1)!;
    const before = await targetCount();
    // A row in the middle of the partition breaks a target constraint after thousands have streamed.
    await env.target.query("ALTER TABLE big ADD CONSTRAINT not_45000 CHECK (id <> 45000) NOT VALID");
    try {
      const error = await copyPartition(options(last, { mirror: "rejected" })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "23514", constraint: "not_45000" });
    } finally {
      await env.target.query("ALTER TABLE big DROP CONSTRAINT not_45000");
    }
    expect(await targetCount()).toBe(before);
    expect(await listDonePartitions(env.target, "rejected")).toEqual([]);
  });

  it("ends up with exactly the source rows once every partition is done", async () => {
    for (const partition of partitions) await copyPartition(options(partition));
    expect(await expectSameRows(env, big)).toBe(50_000);
    const done = await listDonePartitions(env.target, "m");
    expect(done).toHaveLength(partitions.length);
    expect(done.reduce((sum, d) => sum + d.rows, 0)).toBe(50_000);
  });

  it("gives up with a plain message when an exclusive lock keeps it from reading", async () => {
    const blocker = await connect("source", env.sourcePeer.database);
    try {
      await blocker.query("BEGIN; LOCK TABLE big IN ACCESS EXCLUSIVE MODE");
      const error = await copyPartition(options(partitions[0], { mirror: "locked", sourceLockTimeoutMs: 200 })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "55P03", message: expect.stringMatching(/could not get a shared lock on source table public\.big within 0\.2 s/) });
      expect(await listDonePartitions(env.target, "locked")).toEqual([]);
    } finally {
      await blocker.end();
    }
  });

  it("says so when the snapshot is gone, and records nothing", async () => {
    const other = await exportSnapshot(env.sourcePeer);
    await other.close();
    const error = await copyPartition(options(partitions[0], { mirror: "gone", snapshotName: other.snapshotName })).catch((e: unknown) => e);
    expect(isSnapshotGoneError(error)).toBe(true);
    expect(await listDonePartitions(env.target, "gone")).toEqual([]);
  });
});
