import { z } from "zod";
import type { Prisma } from "@/lib/catalog/generated/client";
import { UserFacingError } from "@/lib/errors/user-facing-error";

/**
 * The copy-tables job as both processes see it: the web app queues it when tables are added to or
 * resynced in an initial-copy-only mirror (such a mirror has no runner once it completed), a worker
 * runs it (workers/jobs/copy-tables.ts). Both live here because lib/ may not import workers/.
 */
export const COPY_TABLES_JOB = "copy-tables";

export const copyTablesPayload = z.object({ mirrorId: z.uuid() });

/** A copy that fails for a transient reason (or whose worker stopped) is tried again. Default: 5 attempts. */
const MAX_ATTEMPTS = 5;

/**
 * Queues the mirror's copy-tables job inside the caller's transaction; one queue per mirror, so its
 * rounds run one at a time, and a job key, so requests made while one waits share it.
 * Throws a UserFacingError (503) when no worker has ever started on this catalog.
 */
export async function queueTableCopies(tx: Prisma.TransactionClient, mirrorId: string): Promise<void> {
  const [{ installed }] = await tx.$queryRaw<{ installed: boolean }[]>`SELECT to_regnamespace('graphile_worker') IS NOT NULL AS installed`;
  if (!installed) {
    throw new UserFacingError("No pgferry worker has started on this catalog yet, so nothing could copy the tables. Start a worker and try again.", "no_workers", undefined, 503);
  }
  const payload = JSON.stringify(copyTablesPayload.parse({ mirrorId }));
  const key = `${COPY_TABLES_JOB}:${mirrorId}`;
  await tx.$executeRaw`SELECT graphile_worker.add_job(${COPY_TABLES_JOB}, ${payload}::json, queue_name => ${key}, job_key => ${key}, max_attempts => ${MAX_ATTEMPTS})`;
}
