import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { MirrorTable } from "@/lib/catalog/generated/client";
import { queueVerifyTables } from "./verification-queue";

/**
 * Creates a running verification of `tables` of a mirror and queues a job per table, atomically:
 * a run exists only with its jobs. Returns the run's id.
 */
export async function startVerificationRun(catalog: PrismaClient, mirrorId: string, tables: MirrorTable[]): Promise<string> {
  return catalog.$transaction(async (tx) => {
    const run = await tx.verification.create({ data: { mirrorId, status: "running" } });
    const ids: string[] = [];
    for (const [position, table] of tables.entries()) {
      const row = await tx.verificationTable.create({
        data: {
          verificationId: run.id,
          position,
          sourceSchema: table.sourceSchema,
          sourceTable: table.sourceTable,
          targetSchema: table.targetSchema,
          targetTable: table.targetTable,
          excludeColumns: table.excludeColumns,
          rowsEstimated: table.rowsEstimated,
        },
      });
      ids.push(row.id);
    }
    await queueVerifyTables(tx, run.id, ids);
    return run.id;
  });
}
