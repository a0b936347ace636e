import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectMetrics } from "@/lib/metrics/collect";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";
import { createPeerRow } from "@/tests/support/pgferry";

/** /metrics from catalog rows alone: what workers wrote is what Prometheus reads. */
describe("collectMetrics", () => {
  let catalog: TestCatalog;

  beforeAll(async () => {
    catalog = await createTestCatalog();
    await createPeerRow(catalog.prisma, "src", "source", "postgres");
    const peer = await catalog.prisma.peer.findUniqueOrThrow({ where: { name: "src" } });
    const mirror = await catalog.prisma.mirror.create({
      data: {
        name: "m1",
        sourcePeerId: peer.id,
        targetPeerId: peer.id,
        mode: "cdc",
        status: "paused",
        settings: {},
        publicationName: "p",
        slotName: "s",
        loadGeneration: 2,
        lagBytes: 4096n,
        lagSeconds: 12.5,
        retainedBytes: 1_000_000n,
        slotStatus: { active: false },
        statsUpdatedAt: new Date(),
        tables: { create: [{ position: 0, sourceSchema: "public", sourceTable: "t", targetSchema: "public", targetTable: "t", excludeColumns: [], rowsEstimated: 100n, inserts: 7n, deletes: 2n }] },
      },
      include: { tables: true },
    });
    const table = mirror.tables[0];
    // Only the current generation's partitions count.
    await catalog.prisma.partition.createMany({
      data: [
        { mirrorId: mirror.id, mirrorTableId: table.id, generation: 1, index: 0, relationSchema: "public", relationName: "t", startBlock: 0, rowsCopied: 500n },
        { mirrorId: mirror.id, mirrorTableId: table.id, generation: 2, index: 0, relationSchema: "public", relationName: "t", startBlock: 0, rowsCopied: 60n },
        { mirrorId: mirror.id, mirrorTableId: table.id, generation: 2, index: 1, relationSchema: "public", relationName: "t", startBlock: 10, rowsCopied: 40n },
      ],
    });
    await catalog.prisma.cdcBatch.createMany({
      data: [3, 40, 40, 2000].map((durationMs) => ({ mirrorId: mirror.id, rows: 1, inserts: 1, updates: 0, deletes: 0, firstLsn: "0/1", lastLsn: "0/2", durationMs })),
    });
  });
  afterAll(() => catalog?.close());

  it("reports each mirror's status, lag, slot, rows and batch apply times", async () => {
    const { contentType, body } = await collectMetrics(catalog.prisma);
    expect(contentType).toMatch(/^text\/plain/);
    const value = (series: string) => Number(body.split("\n").find((l) => l.startsWith(`${series} `))?.split(" ")[1]);
    expect(value('pgferry_mirror_status{mirror="m1",status="paused"}')).toBe(1);
    expect(value('pgferry_mirror_status{mirror="m1",status="running"}')).toBe(0);
    expect(value('pgferry_mirror_lag_bytes{mirror="m1"}')).toBe(4096);
    expect(value('pgferry_mirror_lag_seconds{mirror="m1"}')).toBe(12.5);
    expect(value('pgferry_mirror_retained_wal_bytes{mirror="m1"}')).toBe(1_000_000);
    expect(value('pgferry_mirror_slot_active{mirror="m1"}')).toBe(0);
    expect(value('pgferry_rows_applied_total{mirror="m1",table="public.t",op="insert"}')).toBe(7);
    expect(value('pgferry_rows_applied_total{mirror="m1",table="public.t",op="delete"}')).toBe(2);
    expect(value('pgferry_initial_load_rows_copied{mirror="m1",table="public.t"}')).toBe(100);
    expect(value('pgferry_initial_load_rows_estimated{mirror="m1",table="public.t"}')).toBe(100);
    expect(value('pgferry_cdc_batches_total{mirror="m1"}')).toBe(4);
    expect(value('pgferry_cdc_batch_apply_seconds_bucket{mirror="m1",le="0.005"}')).toBe(1);
    expect(value('pgferry_cdc_batch_apply_seconds_bucket{mirror="m1",le="0.05"}')).toBe(3);
    expect(value('pgferry_cdc_batch_apply_seconds_bucket{mirror="m1",le="2.5"}')).toBe(4);
    expect(value('pgferry_cdc_batch_apply_seconds_bucket{mirror="m1",le="+Inf"}')).toBe(4);
    expect(value('pgferry_cdc_batch_apply_seconds_sum{mirror="m1"}')).toBeCloseTo(2.083);
    expect(value("pgferry_workers_online")).toBe(0);
  });

  it("reports the catalog's connections: this process's pool and pgferry's sessions on the server", async () => {
    // Several queries at once make the pool open more than one connection.
    await Promise.all(Array.from({ length: 4 }, () => catalog.prisma.$queryRaw`SELECT pg_sleep(0.2)::text`));
    const { body } = await collectMetrics(catalog.prisma);
    const value = (series: string) => Number(body.split("\n").find((l) => l.startsWith(`${series} `))?.split(" ")[1]);
    expect(value("pgferry_catalog_pool_max_connections")).toBe(10);
    expect(value("pgferry_catalog_pool_connections")).toBeGreaterThanOrEqual(2);
    expect(value("pgferry_catalog_pool_idle_connections")).toBeLessThanOrEqual(value("pgferry_catalog_pool_connections"));
    expect(value("pgferry_catalog_pool_waiting_requests")).toBe(0);
    // The scrape's own query is one of pgferry's active sessions; the pool's others wait idle.
    expect(value('pgferry_catalog_connections{application="pgferry:catalog",state="active"}')).toBeGreaterThanOrEqual(1);
    expect(value('pgferry_catalog_connections{application="pgferry:catalog",state="idle"}')).toBeGreaterThanOrEqual(1);
  });

  it("reports the differences of each mirror's last finished verification", async () => {
    const mirror = await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "m1" } });
    const table = (differences: bigint) => ({ position: 0, sourceSchema: "public", sourceTable: "t", targetSchema: "public", targetTable: "t", excludeColumns: [], status: "different", differences });
    await catalog.prisma.verification.create({ data: { mirrorId: mirror.id, status: "failed", startedAt: new Date(Date.now() - 60_000), finishedAt: new Date(), tables: { create: [table(3n)] } } });
    // Still running: not counted until it finishes.
    await catalog.prisma.verification.create({ data: { mirrorId: mirror.id, status: "running", tables: { create: [table(99n)] } } });
    const { body } = await collectMetrics(catalog.prisma);
    expect(body).toContain('pgferry_verification_differences{mirror="m1",table="public.t"} 3\n');
  });
});
