import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { Logger } from "@/lib/log/logger";

/** What a mirror's runner needs from its worker. */
export interface RunnerContext {
  catalog: PrismaClient;
  workerId: string;
  logger: Logger;
  /** Queues a graphile-worker job in the catalog. */
  addJob(task: string, payload: object, options: { queueName?: string; jobKey?: string; maxAttempts?: number; priority?: number }): Promise<void>;
}
