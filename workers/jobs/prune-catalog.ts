import { z } from "zod";
import { defineJob } from "./define-job";

/** Workers not seen for this long are forgotten. Default: 1 day. */
const FORGET_WORKERS_AFTER_MS = 24 * 60 * 60 * 1000;

/** Housekeeping: forgets long-gone workers and expired sessions. Scheduled hourly by each worker (deduplicated). */
export const pruneCatalog = defineJob({
  name: "prune-catalog",
  payload: z.object({}).passthrough(),
  async handler(_payload, { catalog, logger }) {
    const cutoff = new Date(Date.now() - FORGET_WORKERS_AFTER_MS);
    const workers = await catalog.worker.deleteMany({ where: { lastSeenAt: { lt: cutoff } } });
    const sessions = await catalog.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    logger.debug("pruned catalog", { workers: workers.count, sessions: sessions.count });
  },
});
