import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { Logger } from "@/lib/log/logger";
import type { AddJob } from "@/workers/jobs/add-job";

/** What a mirror's runner needs from its worker. */
export interface RunnerContext {
  catalog: PrismaClient;
  workerId: string;
  logger: Logger;
  /** Queues a job (workers/jobs/registry.ts) in the catalog; its payload is checked against the job's schema. */
  addJob: AddJob;
}
