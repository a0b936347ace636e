import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { Logger } from "@/lib/log/logger";
import { startLagSampler } from "./lag-sampler";

/**
 * A worker's watch over every mirror, owned or not: lag and slot measurements (lag-sampler.ts) and,
 * from the same pass, alerts. Started once per worker from workers/main.ts.
 */
export function startMonitoring(options: { catalog: PrismaClient; workerId: string; logger: Logger }): { stop(): Promise<void> } {
  return startLagSampler({ ...options, logger: options.logger.child("monitor") });
}
