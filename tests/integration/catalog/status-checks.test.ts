import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { transitionMirror } from "@/lib/catalog/transition-mirror";
import { MIRROR_STATUSES, PARTITION_STATUSES, TABLE_STATUSES } from "@/lib/mirrors/status";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";

/**
 * The catalog refuses a status that lib/mirrors/status.ts does not know (CHECK constraints in
 * prisma/migrations/*_status_checks), and those constraints list exactly the TypeScript statuses.
 */
describe("catalog status columns", () => {
  let catalog: TestCatalog;
  let prisma: PrismaClient;
  let mirrorId: string;
  let tableId: string;
  let partitionId: string;

  beforeAll(async () => {
    catalog = await createTestCatalog();
    prisma = catalog.prisma;
    const peer = await prisma.peer.create({
      data: { name: "p", host: "127.0.0.1", port: 5432, database: "d", user: "u", passwordEncrypted: "x", tlsMode: "disable" },
    });
    const mirror = await prisma.mirror.create({
      data: {
        name: "statuses",
        sourcePeerId: peer.id,
        targetPeerId: peer.id,
        mode: "cdc",
        status: "setup",
        settings: {},
        publicationName: "pgferry_statuses",
        slotName: "pgferry_statuses",
        tables: { create: { position: 0, sourceSchema: "public", sourceTable: "t", targetSchema: "public", targetTable: "t", excludeColumns: [] } },
      },
      include: { tables: true },
    });
    mirrorId = mirror.id;
    tableId = mirror.tables[0].id;
    const partition = await prisma.partition.create({
      data: { mirrorId, mirrorTableId: tableId, generation: 1, index: 0, relationSchema: "public", relationName: "t", startBlock: 0 },
    });
    partitionId = partition.id;
  });
  afterAll(() => catalog?.close());

  it("refuses an unknown mirror, table or partition status", async () => {
    await expect(prisma.$executeRaw`UPDATE mirrors SET status = 'stopped' WHERE id = ${mirrorId}::uuid`).rejects.toThrow(/mirrors_status_check/);
    await expect(prisma.mirrorTable.update({ where: { id: tableId }, data: { status: "copied" } })).rejects.toThrow(/mirror_tables_status_check/);
    await expect(prisma.partition.update({ where: { id: partitionId }, data: { status: "running" } })).rejects.toThrow(/partitions_status_check/);
  });

  it("accepts every known status", async () => {
    for (const status of MIRROR_STATUSES) await prisma.mirror.update({ where: { id: mirrorId }, data: { status } });
    for (const status of TABLE_STATUSES) await prisma.mirrorTable.update({ where: { id: tableId }, data: { status } });
    for (const status of PARTITION_STATUSES) await prisma.partition.update({ where: { id: partitionId }, data: { status } });
  });

  it("lists in each constraint exactly the statuses of lib/mirrors/status.ts", async () => {
    const rows = await prisma.$queryRaw<{ conname: string; definition: string }[]>`
      SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conname IN ('mirrors_status_check', 'mirror_tables_status_check', 'partitions_status_check')`;
    const allowed = (name: string) => {
      const definition = rows.find((r) => r.conname === name)?.definition ?? "";
      return [...definition.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
    };
    expect(allowed("mirrors_status_check")).toEqual([...MIRROR_STATUSES].sort());
    expect(allowed("mirror_tables_status_check")).toEqual([...TABLE_STATUSES].sort());
    expect(allowed("partitions_status_check")).toEqual([...PARTITION_STATUSES].sort());
  });

  it("moves a mirror only from the statuses it is asked to move from", async () => {
    await prisma.mirror.update({ where: { id: mirrorId }, data: { status: "running" } });
    expect(await transitionMirror(prisma, { id: mirrorId }, "paused", "running")).toBe(false);
    expect(await transitionMirror(prisma, { name: "statuses" }, "running", "paused")).toBe(true);
    expect((await prisma.mirror.findUniqueOrThrow({ where: { id: mirrorId } })).status).toBe("paused");
    expect(await transitionMirror(prisma, { id: mirrorId, loadGeneration: 7 }, "paused", "running")).toBe(false);
  });
});
