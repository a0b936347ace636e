import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { Logger } from "@/lib/log/logger";
import type { JobHelpers } from "graphile-worker";
import type { z } from "zod";

/** What every job handler gets besides its payload. */
export interface JobContext {
  logger: Logger;
  catalog: PrismaClient;
  /** Fires when the worker is shutting down: stop soon, leave the job retryable. */
  signal: AbortSignal;
  /** The worker that runs the job (workers.id). */
  workerId: string;
  helpers: JobHelpers;
}

/** A finite unit of work that any worker can take (one file per job in workers/jobs/). */
export interface JobDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  payload: Schema;
  handler(payload: z.infer<Schema>, context: JobContext): Promise<void>;
}

export function defineJob<Schema extends z.ZodType>(job: JobDefinition<Schema>): JobDefinition<Schema> {
  return job;
}
