import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { Logger } from "@/lib/log/logger";
import { createAlertEvaluator } from "./alert-evaluator";
import { startLagSampler } from "./lag-sampler";

/**
 * A worker's watch over every mirror, owned or not: lag and slot measurements (lag-sampler.ts) and,
 * right after each pass, alerts for the mirrors it measured (alert-evaluator.ts). Started once per
 * worker from workers/main.ts.
 */
export function startMonitoring(options: { catalog: PrismaClient; workerId: string; logger: Logger }): { stop(): Promise<void> } {
  const logger = options.logger.child("monitor");
  const alerts = createAlertEvaluator(options.catalog, logger);
  const sampler = startLagSampler({
    ...options,
    logger,
    afterPass: async (claimed) => alerts.evaluate(claimed.map((m) => m.id)),
  });
  return {
    async stop() {
      await sampler.stop();
      await alerts.idle();
    },
  };
}
