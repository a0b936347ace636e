import type { RunnerContext } from "./context";
import { claimOneMirror, LEASE_MS, releaseLeases, renewLeases, RENEW_EVERY_MS } from "./lease";
import { runMirror } from "./runner";

/**
 * The part of a worker that owns mirrors: every few seconds it renews its leases, stops runners
 * of mirrors it no longer owns, and claims mirrors that nobody drives (new ones, or ones whose
 * owner died). Each owned mirror has one runner (runner.ts) in this process.
 */
export interface MirrorSupervisor {
  /** Looks at the catalog now instead of at the next poll (a mirror was created or changed). */
  wake(): void;
  stop(): Promise<void>;
}

/** Most mirrors one worker drives at once, so several workers share the load. Default: 20. */
const MAX_MIRRORS_PER_WORKER = Number(process.env.PGFERRY_MAX_MIRRORS_PER_WORKER ?? 20);

export function startMirrorSupervisor(ctx: RunnerContext): MirrorSupervisor {
  const runners = new Map<string, { abort: AbortController; done: Promise<void> }>();
  let stopped = false;

  let renewedAt = Date.now();
  const tick = async () => {
    let owned: Set<string>;
    try {
      owned = await renewLeases(ctx.catalog, ctx.workerId);
      renewedAt = Date.now();
    } catch (error) {
      // Without renewals our leases lapse and another worker may take the mirrors over: stop driving them first.
      if (Date.now() - renewedAt > LEASE_MS - RENEW_EVERY_MS) for (const runner of runners.values()) runner.abort.abort();
      throw error;
    }
    for (const [id, runner] of runners) {
      if (!owned.has(id)) runner.abort.abort();
    }
    if (runners.size < MAX_MIRRORS_PER_WORKER) {
      const claimed = await claimOneMirror(ctx.catalog, ctx.workerId);
      if (claimed) owned.add(claimed);
    }
    for (const id of owned) {
      if (!runners.has(id) && !stopped) start(id);
    }
  };

  const start = (mirrorId: string) => {
    const abort = new AbortController();
    const done = runMirror(ctx, mirrorId, abort.signal)
      .catch((error: unknown) => ctx.logger.error("mirror runner crashed", { mirrorId, error }))
      .finally(() => runners.delete(mirrorId));
    runners.set(mirrorId, { abort, done });
  };

  // A short first delay lets a new mirror be claimed soon after a start; then the steady rhythm.
  let timer: NodeJS.Timeout;
  let ticking: Promise<void> | null = null;
  const loop = async () => {
    clearTimeout(timer);
    try {
      await tick();
    } catch (error) {
      ctx.logger.warn("mirror supervisor tick failed", { error });
    }
    if (!stopped) timer = setTimeout(run, RENEW_EVERY_MS);
  };
  // One tick at a time: a wake-up during a tick waits for it.
  const run = () => {
    ticking = (ticking ?? Promise.resolve()).then(loop).finally(() => (ticking = null));
  };
  timer = setTimeout(run, 100);

  return {
    wake: () => {
      if (!stopped) run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      for (const runner of runners.values()) runner.abort.abort();
      await Promise.all([...runners.values()].map((r) => r.done));
      await releaseLeases(ctx.catalog, ctx.workerId);
    },
  };
}
