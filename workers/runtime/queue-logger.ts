import { Logger as QueueLogger } from "graphile-worker";
import type { Logger } from "@/lib/log/logger";

/**
 * graphile-worker's log lines through pgferry's logger (so PGFERRY_LOG_FORMAT=json covers them).
 * Its info lines — one per job started and completed, thousands during a load — become debug
 * lines, shown only with PGFERRY_DEBUG=1; its warnings and errors (a failed job, a lost
 * connection) stay as they are.
 */
export function queueLogger(logger: Logger): QueueLogger {
  return new QueueLogger(() => (level, message, meta) => {
    // A job's row carries its whole payload; its ID and task name are enough to find it.
    const { job, ...rest } = (meta ?? {}) as { job?: { id?: string; task_identifier?: string } };
    const fields = job ? { ...rest, jobId: job.id, task: job.task_identifier } : Object.keys(rest).length ? rest : undefined;
    if (level === "error") logger.error(message, fields);
    else if (level === "warning") logger.warn(message, fields);
    else logger.debug(message, fields);
  });
}
