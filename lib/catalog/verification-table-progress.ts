import type { PrismaClient } from "@/lib/catalog/generated/client";

export interface VerificationTableCounts {
  chunksDone: number;
  chunksTotal: number;
  sourceRows: number;
  targetRows: number;
  differences: number;
}

/**
 * Writes a running table's progress. Returns false when the table is no longer running (its run
 * was cancelled): the caller stops comparing.
 */
export async function writeVerificationProgress(catalog: PrismaClient, id: string, counts: VerificationTableCounts): Promise<boolean> {
  const { count } = await catalog.verificationTable.updateMany({
    where: { id, status: "running" },
    data: {
      chunksDone: counts.chunksDone,
      chunksTotal: counts.chunksTotal,
      sourceRows: BigInt(counts.sourceRows),
      targetRows: BigInt(counts.targetRows),
      differences: BigInt(counts.differences),
    },
  });
  return count > 0;
}
