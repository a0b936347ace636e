import pg from "pg";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { MIRRORS_CHANNEL } from "@/lib/catalog/mirror-signal";
import type { Logger } from "@/lib/log/logger";

/**
 * A copy job that ends notifies this channel with its mirror's ID, so the mirror's runner (in
 * whichever worker owns it) checks the load at once instead of at its next poll: the last copy of
 * a load is noticed in milliseconds, and the primary keys and indexes start building.
 */
export const LOAD_PROGRESS_CHANNEL = "pgferry_load_progress";

/**
 * Listens on the catalog's mirrors channel and calls `onWake` for each notification, and on the
 * load-progress channel, whose notifications wake waitForLoadProgress. If the connection drops, it
 * reconnects after a pause; meanwhile the supervisor's and runners' polling still works.
 */
export function listenForMirrorChanges(catalogUrl: string, onWake: () => void, logger: Logger): { close(): Promise<void> } {
  let client: pg.Client | null = null;
  let closed = false;
  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: catalogUrl, application_name: "pgferry:worker:listen" });
    next.on("notification", (message) => {
      if (message.channel === LOAD_PROGRESS_CHANNEL) wakeLoadWaiters(message.payload ?? "");
      else onWake();
    });
    next.on("error", () => {
      client = null;
      void next.end().catch(() => {});
      if (!closed) setTimeout(() => void connect(), 5_000);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${MIRRORS_CHANNEL}; LISTEN ${LOAD_PROGRESS_CHANNEL}`);
      client = next;
    } catch (error) {
      logger.debug("could not listen for mirror changes; polling only", { error });
      void next.end().catch(() => {});
      if (!closed) setTimeout(() => void connect(), 5_000);
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}

/** Runners waiting for news of their load, by mirror ID. */
const loadWaiters = new Map<string, Set<() => void>>();
/** Mirrors whose runner waited in this process: news of others is someone else's. */
const watched = new Set<string>();
/** Watched mirrors with news that arrived while nobody waited: the next wait returns at once. */
const loadNews = new Set<string>();

function wakeLoadWaiters(mirrorId: string): void {
  const waiters = loadWaiters.get(mirrorId);
  if (!waiters || waiters.size === 0) {
    if (watched.has(mirrorId)) loadNews.add(mirrorId);
    return;
  }
  for (const wake of [...waiters]) wake();
}

/**
 * Resolves when a copy job of the mirror ended (here or, through the catalog, in another worker),
 * after `timeoutMs` at the latest, or when `signal` fires. News that came since the last wait
 * counts, so a job that ended during the caller's last check is not missed.
 */
export function waitForLoadProgress(mirrorId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  watched.add(mirrorId);
  if (loadNews.delete(mirrorId) || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const waiters = loadWaiters.get(mirrorId) ?? new Set<() => void>();
    loadWaiters.set(mirrorId, waiters);
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      waiters.delete(done);
      if (waiters.size === 0) loadWaiters.delete(mirrorId);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    signal?.addEventListener("abort", done, { once: true });
    waiters.add(done);
  });
}

/**
 * Says that a copy job of the mirror ended: at once to a runner in this process, and through the
 * catalog to the others. Never throws: a lost notification only delays the check to the next poll.
 */
export async function signalLoadProgress(catalog: PrismaClient, mirrorId: string): Promise<void> {
  wakeLoadWaiters(mirrorId);
  await catalog.$executeRaw`SELECT pg_notify(${LOAD_PROGRESS_CHANNEL}, ${mirrorId})`.catch(() => {});
}
