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

/**
 * A finite unit of work that any worker can take (one file per job in workers/jobs/, listed in
 * registry.ts). The name is kept as a literal type so that addJob can look the payload up by it.
 */
export interface JobDefinition<Name extends string = string, Schema extends z.ZodType = z.ZodType> {
  name: Name;
  payload: Schema;
  handler(payload: z.output<Schema>, context: JobContext): Promise<void>;
}

export function defineJob<const Name extends string, Schema extends z.ZodType>(job: JobDefinition<Name, Schema>): JobDefinition<Name, Schema> {
  return job;
}
