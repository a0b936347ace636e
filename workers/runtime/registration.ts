import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { Logger } from "@/lib/log/logger";
import { HEARTBEAT_INTERVAL_MS } from "@/lib/catalog/workers";

export interface Registration {
  workerId: string;
  /** Marks the worker stopped, so the UI shows it offline at once. */
  deregister(): Promise<void>;
}

/** Registers this process in the catalog's workers table and keeps its heartbeat going. */
export async function registerWorker(catalog: PrismaClient, logger: Logger): Promise<Registration> {
  const workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  await catalog.worker.create({ data: { id: workerId, host: hostname(), pid: process.pid } });
  const timer = setInterval(() => {
    catalog.worker
      .update({ where: { id: workerId }, data: { lastSeenAt: new Date() } })
      .catch((error: unknown) => logger.warn("heartbeat failed; will retry", { error }));
  }, HEARTBEAT_INTERVAL_MS);
  return {
    workerId,
    async deregister() {
      clearInterval(timer);
      await catalog.worker.update({ where: { id: workerId }, data: { stoppedAt: new Date() } }).catch(() => {});
    },
  };
}
