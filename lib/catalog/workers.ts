import type { PrismaClient } from "@/lib/catalog/generated/client";

/** How often a worker writes its heartbeat. Default: 5 s. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * A worker whose last heartbeat is older than this is offline. Three missed heartbeats:
 * a worker killed with -9 is shown offline within 15-20 s, inside the promised 30 s.
 */
export const OFFLINE_AFTER_MS = 15_000;

export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  startedAt: Date;
  lastSeenAt: Date;
  online: boolean;
}

export async function listWorkers(catalog: PrismaClient): Promise<WorkerStatus[]> {
  const workers = await catalog.worker.findMany({ orderBy: { startedAt: "desc" }, take: 100 });
  return workers.map((w) => ({
    id: w.id,
    host: w.host,
    pid: w.pid,
    startedAt: w.startedAt,
    lastSeenAt: w.lastSeenAt,
    online: isOnline(w),
  }));
}

/** IDs of workers that are online now; used to decide whether a lease holder is alive. */
export async function onlineWorkerIds(catalog: PrismaClient): Promise<Set<string>> {
  return new Set((await listWorkers(catalog)).filter((w) => w.online).map((w) => w.id));
}

/** Whether one worker is online now (a mirror's owner, for its page): one row, not the whole list. */
export async function isWorkerOnline(catalog: PrismaClient, id: string): Promise<boolean> {
  const worker = await catalog.worker.findUnique({ where: { id }, select: { stoppedAt: true, lastSeenAt: true } });
  return worker !== null && isOnline(worker);
}

function isOnline(worker: { stoppedAt: Date | null; lastSeenAt: Date }): boolean {
  return worker.stoppedAt === null && worker.lastSeenAt.getTime() > Date.now() - OFFLINE_AFTER_MS;
}
