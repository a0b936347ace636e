import { makeWorkerUtils, run, type Runner } from "graphile-worker";
import { createClient } from "@/lib/catalog/db";
import { migrateCatalog } from "@/lib/catalog/migrate";
import { catalogUrl } from "@/lib/config/env";
import { createLogger } from "@/lib/log/logger";
import { typedAddJob } from "./jobs/add-job";
import { taskList } from "./jobs/registry";
import { listenForMirrorChanges } from "./runtime/wakeups";
import { startMirrorSupervisor } from "./mirrors/supervisor";
import { registerWorker } from "./runtime/registration";
import { warmUpWorker } from "./runtime/warm-up";
import { startMonitoring } from "./runtime/lag-monitor";
import { queueLogger } from "./runtime/queue-logger";
import { boundHeapGrowth } from "./runtime/heap-growth";

/**
 * A pgferry worker: registers itself in the catalog, heartbeats, and runs jobs from the
 * graphile-worker queue in the catalog database. Stateless: everything it knows is in the
 * catalog or on the target, so any number of workers can share one catalog.
 */

/** Jobs run at once by one worker. Default: 4 (copy jobs spend most time waiting on the network). */
const CONCURRENCY = Number(process.env.PGFERRY_WORKER_CONCURRENCY ?? 4);

async function main() {
  boundHeapGrowth();
  const logger = createLogger("worker");
  const url = catalogUrl();
  // A worker may be the first process on a new catalog (`npm run worker` elsewhere): migrate is idempotent and locked.
  await migrateCatalog(url);
  const catalog = createClient(url);
  // Ready before online: the first mirror after a start should not pay for compiling catalog queries.
  await warmUpWorker(catalog, "warm-up", logger);
  const registration = await registerWorker(catalog, logger);
  const shutdown = new AbortController();

  const runner: Runner = await run({
    connectionString: withApplicationName(url, "pgferry:worker:jobs"),
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: taskList({ catalog, workerId: registration.workerId, signal: shutdown.signal }),
    crontab: "0 * * * * prune-catalog ?jobKey=prune-catalog",
    logger: queueLogger(logger.child("jobs")),
  });
  const utils = await makeWorkerUtils({ connectionString: withApplicationName(url, "pgferry:worker:queue"), logger: queueLogger(logger.child("queue")) });
  const supervisor = startMirrorSupervisor({
    catalog,
    workerId: registration.workerId,
    logger: logger.child("mirrors"),
    addJob: typedAddJob((task, payload, options) => utils.addJob(task, payload, options)),
  });
  const wakeups = listenForMirrorChanges(url, () => supervisor.wake(), logger);
  const monitoring = startMonitoring({ catalog, workerId: registration.workerId, logger });
  logger.info("worker started", { id: registration.workerId, concurrency: CONCURRENCY });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`received ${signal}; stopping`);
    shutdown.abort();
    await wakeups.close();
    await monitoring.stop();
    await supervisor.stop().catch((error: unknown) => logger.warn("stopping mirror runners failed", { error }));
    await runner.stop().catch((error: unknown) => logger.warn("stopping the job runner failed", { error }));
    await Promise.resolve(utils.release()).catch(() => {});
    await registration.deregister();
    await catalog.$disconnect();
    logger.info("worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  await runner.promise;
}

/** Names the job queue's own catalog sessions, so they are recognisable in pg_stat_activity. */
function withApplicationName(connectionString: string, name: string): string {
  const url = new URL(connectionString);
  url.searchParams.set("application_name", name);
  return url.toString();
}

main().catch((error: unknown) => {
  createLogger("worker").error("worker failed to start", { error });
  process.exit(1);
});
