import { z } from "zod";
import type { Prisma } from "@/lib/catalog/generated/client";
import { UserFacingError } from "@/lib/errors/user-facing-error";

/**
 * The verify-table job as both processes see it: the web app queues it (in the transaction that
 * creates the run), a worker runs it (workers/jobs/verify-table.ts). Both live here because lib/
 * may not import workers/.
 */
export const VERIFY_TABLE_JOB = "verify-table";

export const verifyTablePayload = z.object({ verificationTableId: z.uuid() });

/**
 * Tables of one run compared at once (graphile queues run one job at a time, so a run uses this
 * many queues). Default: 2 — verification reads every row of both servers and must not crowd out CDC.
 */
export const VERIFY_LANES = 2;

/**
 * A table job fails (and is retried) only when its worker stops mid-table: a comparison that fails
 * records the error on the table's row and ends the job. Default: 5 attempts.
 */
const MAX_ATTEMPTS = 5;

/**
 * Queues one verify-table job per table through graphile-worker's SQL API, inside the caller's
 * transaction. Throws a UserFacingError (503) when no worker has ever started on this catalog
 * (the queue's schema is installed by the first worker).
 */
export async function queueVerifyTables(tx: Prisma.TransactionClient, verificationId: string, tableIds: string[]): Promise<void> {
  const [{ installed }] = await tx.$queryRaw<{ installed: boolean }[]>`SELECT to_regnamespace('graphile_worker') IS NOT NULL AS installed`;
  if (!installed) {
    throw new UserFacingError("No pgferry worker has started on this catalog yet, so nothing could run the verification. Start a worker and try again.", "no_workers", undefined, 503);
  }
  for (const [index, id] of tableIds.entries()) {
    const payload = JSON.stringify(verifyTablePayload.parse({ verificationTableId: id }));
    const queue = `verify:${verificationId}:${index % VERIFY_LANES}`;
    await tx.$executeRaw`SELECT graphile_worker.add_job(${VERIFY_TABLE_JOB}, ${payload}::json, queue_name => ${queue}, max_attempts => ${MAX_ATTEMPTS})`;
  }
}
