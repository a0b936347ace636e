import type { Prisma, PrismaClient } from "@/lib/catalog/generated/client";
import { FINISHED_TABLE_STATUSES, settledStatus, type VerificationTableStatus } from "./verification-status";
import type { VerificationTableCounts } from "./verification-table-progress";

export type VerificationTableOutcome =
  | { status: "equal" | "different"; counts: VerificationTableCounts; examples: Prisma.InputJsonValue }
  | { status: "error"; error: string; counts?: VerificationTableCounts };

/**
 * Records a table's result (unless its run was cancelled meanwhile) and, when it was the run's last
 * unfinished table, settles the run: error, failed or passed. The run row is locked while settling,
 * so two tables finishing at once settle it exactly once.
 */
export async function finishVerificationTable(catalog: PrismaClient, id: string, outcome: VerificationTableOutcome): Promise<void> {
  await catalog.$transaction(async (tx) => {
    const table = await tx.verificationTable.findUniqueOrThrow({ where: { id }, select: { verificationId: true } });
    await tx.$queryRaw`SELECT 1 FROM verifications WHERE id = ${table.verificationId}::uuid FOR UPDATE`;
    const counts = outcome.counts;
    await tx.verificationTable.updateMany({
      where: { id, status: "running" },
      data: {
        status: outcome.status,
        finishedAt: new Date(),
        ...(outcome.status === "error" ? { error: outcome.error } : { examples: outcome.examples }),
        ...(counts
          ? {
              chunksDone: counts.chunksDone,
              chunksTotal: counts.chunksTotal,
              sourceRows: BigInt(counts.sourceRows),
              targetRows: BigInt(counts.targetRows),
              differences: BigInt(counts.differences),
            }
          : {}),
      },
    });
    const tables = await tx.verificationTable.findMany({ where: { verificationId: table.verificationId }, select: { status: true } });
    const statuses = tables.map((t) => t.status as VerificationTableStatus);
    if (!statuses.every((s) => FINISHED_TABLE_STATUSES.includes(s))) return;
    await tx.verification.updateMany({
      where: { id: table.verificationId, status: "running" },
      data: { status: settledStatus(statuses), finishedAt: new Date() },
    });
  });
}
