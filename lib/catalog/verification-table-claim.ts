import type { PrismaClient } from "@/lib/catalog/generated/client";

/**
 * Marks a pending table of a running verification as being compared by `workerId`. Returns the
 * table with its run and mirror, or null when there is nothing to do (run cancelled or finished,
 * table already taken): a job then ends without work.
 */
export async function claimVerificationTable(catalog: PrismaClient, id: string, workerId: string) {
  const { count } = await catalog.verificationTable.updateMany({
    where: { id, status: "pending", verification: { status: "running" } },
    data: { status: "running", workerId, startedAt: new Date() },
  });
  if (count === 0) return null;
  return catalog.verificationTable.findUniqueOrThrow({ where: { id }, include: { verification: { include: { mirror: true } } } });
}
