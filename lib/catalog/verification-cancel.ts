import type { PrismaClient } from "@/lib/catalog/generated/client";

/**
 * Cancels a running verification: the run and its unfinished tables become cancelled; a job that
 * is comparing a table sees it within seconds and stops. Returns false when the run was not running
 * (already finished or cancelled). Idempotent.
 */
export async function cancelVerificationRun(catalog: PrismaClient, verificationId: string): Promise<boolean> {
  return catalog.$transaction(async (tx) => {
    const { count } = await tx.verification.updateMany({
      where: { id: verificationId, status: "running" },
      data: { status: "cancelled", finishedAt: new Date() },
    });
    if (count === 0) return false;
    await tx.verificationTable.updateMany({
      where: { verificationId, status: { in: ["pending", "running"] } },
      data: { status: "cancelled", finishedAt: new Date() },
    });
    return true;
  });
}
