import type { Mirror, MirrorTable } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { transitionMirror } from "@/lib/catalog/transition-mirror";
import { type MirrorStatus, mirrorStatusesLeadingTo, parseMirrorStatus } from "@/lib/mirrors/status";
import { classifyError } from "@/lib/errors/classify";
import type { ExportedSnapshot } from "@/lib/pg/snapshot";
import { sleep } from "@/lib/sleep";
import { CdcFatalError } from "@/workers/cdc/types";
import { waitForLoadProgress } from "@/workers/runtime/wakeups";
import { streamChanges } from "./cdc-phase";
import { skipsInitialLoad, startWithoutLoad } from "./cdc-start";
import { runCutover } from "./cutover-phase";
import type { RunnerContext } from "./context";
import { checkLoad } from "./load-monitor";
import { finishInitialLoad, startInitialLoad } from "./load-setup";
import { dropSyncObjects } from "./table-sync/sync-objects";
import { replicateWithTableSync } from "./table-sync/round";
import { deleteMirror } from "./teardown";
import { CURRENT_TABLES } from "@/lib/catalog/current-tables";

/**
 * How often a load in progress is checked when no copy job says it ended (wakeups.ts
 * signalLoadProgress wakes the runner at each job's end). Default: 1 s.
 */
const LOAD_CHECK_INTERVAL_MS = 1_000;
/** How often a paused mirror is looked at again (to notice a resume or delete). Default: 5 s. */
const PAUSED_CHECK_INTERVAL_MS = 5_000;
/** Retry delays after transient failures: 1 s doubling to at most 30 s. */
const RETRY_INITIAL_MS = 1_000;
const RETRY_MAX_MS = 30_000;

type LoadedMirror = Mirror & { tables: MirrorTable[] };

/** What a step is given: the mirror as just read, and the load's snapshot if this process holds one. */
interface StepInput {
  ctx: RunnerContext;
  mirror: LoadedMirror;
  snapshot: ExportedSnapshot | null;
  signal: AbortSignal;
}

/** What a step leaves for the next: the snapshot still held, and whether nothing is left to drive. */
interface StepResult {
  snapshot: ExportedSnapshot | null;
  finished?: boolean;
}

type Step = (input: StepInput) => Promise<StepResult>;

/**
 * What the runner does in each status (lib/mirrors/status.ts): one step, then it reads the mirror
 * again, so a status changed meanwhile (by the web app, or by the step itself) decides the next step.
 */
const STEPS: Record<MirrorStatus, Step> = {
  setup: startLoad,
  initial_load: watchLoad,
  running: replicate,
  paused: waitWhilePaused,
  cutover: cutOver,
  deleting: tearDown,
  completed: settled,
  failed: settled,
};

/**
 * Drives one mirror through its statuses while this worker owns it (see lease.ts), until it is
 * completed, failed or deleted, or `signal` fires (lease lost, worker stopping).
 *
 * The initial load's snapshot lives in this process: if the runner starts and finds a load in
 * progress that it did not start, that snapshot died with its previous owner, so the load starts
 * over from a new snapshot (and the Logs tab says why).
 */
export async function runMirror(ctx: RunnerContext, mirrorId: string, signal: AbortSignal): Promise<void> {
  let snapshot: ExportedSnapshot | null = null;
  let retryDelay = RETRY_INITIAL_MS;
  try {
    while (!signal.aborted) {
      // A removed table (PATCH, lib/web/mirrors/edit.ts) stays in the catalog as history; nothing drives it any more.
      const mirror = await ctx.catalog.mirror.findUnique({
        where: { id: mirrorId },
        include: CURRENT_TABLES,
      });
      if (!mirror) return;
      try {
        const next = await STEPS[parseMirrorStatus(mirror.status)]({ ctx, mirror, snapshot, signal });
        snapshot = next.snapshot;
        if (next.finished) return;
        retryDelay = RETRY_INITIAL_MS;
      } catch (error) {
        if (signal.aborted) return;
        const outcome = await handleFailure(ctx, mirror, error, retryDelay);
        if (outcome === "failed") {
          await snapshot?.close();
          snapshot = null;
          return;
        }
        await sleep(retryDelay, signal);
        retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
      }
    }
  } finally {
    await snapshot?.close();
  }
}

/** setup: a snapshot left from an earlier attempt is useless to the new load. */
async function startLoad({ ctx, mirror, snapshot }: StepInput): Promise<StepResult> {
  await snapshot?.close();
  // A whole-mirror resync takes tables being added or resynced into its load.
  if (mirror.tables.some((t) => t.syncKind !== null)) {
    await dropSyncObjects(ctx.catalog, mirror);
    await ctx.catalog.mirrorTable.updateMany({ where: { mirrorId: mirror.id }, data: { syncKind: null, syncPhase: null } });
  }
  await ctx.catalog.mirrorTable.updateMany({ where: { mirrorId: mirror.id, rowsCopiedAlone: { not: null } }, data: { rowsCopiedAlone: null } });
  if (skipsInitialLoad(mirror)) {
    await startWithoutLoad(ctx, mirror);
    return { snapshot: null };
  }
  return { snapshot: await startInitialLoad(ctx, mirror) };
}

/** initial_load: holds the snapshot while partitions are copied; finishes, restarts or fails the load. */
async function watchLoad({ ctx, mirror, snapshot, signal }: StepInput): Promise<StepResult> {
  const state = await checkLoad(ctx, mirror);
  // Every partition copied: the snapshot is no longer needed (even if it died with an earlier owner).
  if (state.kind === "done") {
    await snapshot?.close();
    return finishLoad(ctx, mirror, signal);
  }
  if (!snapshot) {
    await restartLoad(
      ctx,
      mirror,
      "The worker that held the initial load's snapshot stopped, so the copy can no longer read a consistent view of the source. The initial load starts over from a new snapshot; rows copied so far are discarded.",
    );
    return { snapshot: null };
  }
  switch (state.kind) {
    case "copying":
      await waitForLoadProgress(mirror.id, LOAD_CHECK_INTERVAL_MS, signal);
      return { snapshot };
    case "snapshot_gone":
      await snapshot.close();
      await restartLoad(ctx, mirror, `The initial load's snapshot is no longer available (${state.reason}). The load starts over from a new snapshot.`);
      return { snapshot: null };
    case "failed":
      await snapshot.close();
      await markFailed(ctx, mirror, `The initial load failed: ${state.message}`);
      return { snapshot: null, finished: true };
  }
}

/**
 * running: streams changes until the status leaves running or the table list changes (cdc-phase.ts
 * watches both); while tables are added or resynced, beside their copy (table-sync/round.ts).
 */
async function replicate({ ctx, mirror, snapshot, signal }: StepInput): Promise<StepResult> {
  if (mirror.tables.some((t) => t.syncKind !== null)) await replicateWithTableSync(ctx, mirror, signal);
  else await streamChanges(ctx, mirror, signal);
  return { snapshot };
}

/** cutover: the cutover's steps, with CDC applying until the switch (cutover-phase.ts). */
async function cutOver({ ctx, mirror, snapshot, signal }: StepInput): Promise<StepResult> {
  await runCutover(ctx, mirror, signal);
  return { snapshot };
}

/**
 * paused: nothing is applied. The WAL the slot makes the source keep is measured by the lag sampler
 * (workers/runtime/lag-sampler.ts), as for every mirror with a slot, so the runner only waits.
 */
async function waitWhilePaused({ snapshot, signal }: StepInput): Promise<StepResult> {
  await sleep(PAUSED_CHECK_INTERVAL_MS, signal);
  return { snapshot };
}

/** deleting: cleans up the source and the target's bookkeeping, then the mirror's rows are gone. */
async function tearDown({ ctx, mirror, snapshot }: StepInput): Promise<StepResult> {
  await snapshot?.close();
  await deleteMirror(ctx, mirror);
  ctx.logger.info("mirror deleted", { mirror: mirror.name });
  return { snapshot: null, finished: true };
}

/** completed or failed: nothing left to drive until a person resyncs or deletes the mirror. */
async function settled({ snapshot }: StepInput): Promise<StepResult> {
  return { snapshot, finished: true };
}

async function finishLoad(ctx: RunnerContext, mirror: LoadedMirror, signal: AbortSignal): Promise<StepResult> {
  await finishInitialLoad(ctx, mirror, signal);
  const next = mirror.mode === "cdc" ? "running" : "completed";
  // Only if this load is still the current one: a delete or resync requested meanwhile wins.
  await transitionMirror(ctx.catalog, { id: mirror.id, loadGeneration: mirror.loadGeneration }, "initial_load", next, {
    loadFinishedAt: new Date(),
    snapshotName: null,
  });
  await recordMirrorEvent(
    ctx.catalog,
    mirror.id,
    "info",
    next === "running" ? "Initial load finished; continuous replication takes over from the snapshot's end." : "Initial load finished; the mirror is complete.",
  );
  return { snapshot: null, finished: next === "completed" };
}

async function restartLoad(ctx: RunnerContext, mirror: Mirror, why: string): Promise<void> {
  await recordMirrorEvent(ctx.catalog, mirror.id, "warn", why);
  await transitionMirror(ctx.catalog, { id: mirror.id }, "initial_load", "setup", { snapshotName: null });
}

async function markFailed(ctx: RunnerContext, mirror: Mirror, message: string): Promise<void> {
  // From wherever the mirror is now (it may have changed during the step); a delete requested meanwhile wins.
  await transitionMirror(ctx.catalog, { id: mirror.id }, mirrorStatusesLeadingTo("failed"), "failed", {
    errorMessage: message,
    ownerWorkerId: null,
    leaseExpiresAt: null,
  });
  await recordMirrorEvent(ctx.catalog, mirror.id, "error", message);
}

/** Transient failures are logged and retried; anything else fails the mirror with its cause and fix. */
async function handleFailure(ctx: RunnerContext, mirror: Mirror, error: unknown, retryDelay: number): Promise<"retry" | "failed"> {
  if (error instanceof CdcFatalError) {
    await markFailed(ctx, mirror, error.message);
    return "failed";
  }
  const classified = classifyError(error);
  const message = classified.fix ? `${classified.message} Fix: ${classified.fix}` : classified.message;
  // A mirror being deleted keeps trying: the user asked for it to go away.
  if (classified.kind === "retry" || mirror.status === "deleting") {
    ctx.logger.warn("mirror step failed; will retry", { mirror: mirror.name, status: mirror.status, code: classified.code });
    await recordMirrorEvent(ctx.catalog, mirror.id, "warn", `${message} Retrying in ${Math.round(retryDelay / 1000)} s.`, { code: classified.code, transient: true });
    return "retry";
  }
  ctx.logger.error("mirror failed", { mirror: mirror.name, status: mirror.status, error });
  await markFailed(ctx, mirror, message);
  return "failed";
}
