import type { Mirror, MirrorTable } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { PeerConnectError } from "@/lib/pg/connect-errors";
import { type ClassifiedError, classifyPgError } from "@/lib/errors/classify";
import type { ExportedSnapshot } from "@/lib/pg/snapshot";
import { CdcFatalError } from "@/workers/cdc/stream";
import { streamChanges } from "./cdc-phase";
import type { RunnerContext } from "./context";
import { sleep } from "./sleep";
import { checkLoad } from "./load-monitor";
import { finishInitialLoad, startInitialLoad } from "./load-setup";
import { refreshSlotStats } from "./slot-stats";
import { deleteMirror } from "./teardown";

/** How often a load in progress is checked; also how long a finished load may wait to be noticed. Default: 250 ms. */
const LOAD_CHECK_INTERVAL_MS = 250;
/** How often a paused mirror's slot is measured. Default: 5 s. */
const PAUSED_CHECK_INTERVAL_MS = 5_000;
/** Retry delays after transient failures: 1 s doubling to at most 30 s. */
const RETRY_INITIAL_MS = 1_000;
const RETRY_MAX_MS = 30_000;

type LoadedMirror = Mirror & { tables: MirrorTable[] };

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
      const mirror = await ctx.catalog.mirror.findUnique({ where: { id: mirrorId }, include: { tables: { orderBy: { position: "asc" } } } });
      if (!mirror) return;
      try {
        const next = await step(ctx, mirror, snapshot, signal);
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

interface StepResult {
  snapshot: ExportedSnapshot | null;
  finished?: boolean;
}

async function step(ctx: RunnerContext, mirror: LoadedMirror, snapshot: ExportedSnapshot | null, signal: AbortSignal): Promise<StepResult> {
  switch (mirror.status) {
    case "setup":
      await snapshot?.close();
      return { snapshot: await startInitialLoad(ctx, mirror) };
    case "initial_load":
      return watchLoad(ctx, mirror, snapshot, signal);
    case "running":
      await streamChanges(ctx, mirror, signal);
      return { snapshot };
    case "paused":
      await refreshSlotStats(ctx.catalog, mirror.id, await loadPeerConnection(ctx.catalog, mirror.sourcePeerId), mirror.slotName, `paused:${mirror.name}`);
      await sleep(PAUSED_CHECK_INTERVAL_MS, signal);
      return { snapshot };
    case "deleting":
      await snapshot?.close();
      await deleteMirror(ctx, mirror);
      ctx.logger.info("mirror deleted", { mirror: mirror.name });
      return { snapshot: null, finished: true };
    default:
      // completed or failed: nothing left to drive.
      return { snapshot, finished: true };
  }
}

async function watchLoad(ctx: RunnerContext, mirror: LoadedMirror, snapshot: ExportedSnapshot | null, signal: AbortSignal): Promise<StepResult> {
  const state = await checkLoad(ctx, mirror);
  // Every partition copied: the snapshot is no longer needed (even if it died with an earlier owner).
  if (state.kind === "done") {
    await snapshot?.close();
    return finishLoad(ctx, mirror);
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
      await sleep(LOAD_CHECK_INTERVAL_MS, signal);
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

async function finishLoad(ctx: RunnerContext, mirror: LoadedMirror): Promise<StepResult> {
  await finishInitialLoad(ctx, mirror);
  const next = mirror.mode === "cdc" ? "running" : "completed";
  // Only if still loading: a delete requested meanwhile wins.
  await ctx.catalog.mirror.updateMany({
    where: { id: mirror.id, status: "initial_load", loadGeneration: mirror.loadGeneration },
    data: { status: next, loadFinishedAt: new Date(), snapshotName: null },
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
  await ctx.catalog.mirror.updateMany({ where: { id: mirror.id, status: "initial_load" }, data: { status: "setup", snapshotName: null } });
}

async function markFailed(ctx: RunnerContext, mirror: Mirror, message: string): Promise<void> {
  await ctx.catalog.mirror.updateMany({
    where: { id: mirror.id, status: { notIn: ["deleting"] } },
    data: { status: "failed", errorMessage: message, ownerWorkerId: null, leaseExpiresAt: null },
  });
  await recordMirrorEvent(ctx.catalog, mirror.id, "error", message);
}

/** Transient failures are logged and retried; anything else fails the mirror with its cause and fix. */
async function handleFailure(ctx: RunnerContext, mirror: Mirror, error: unknown, retryDelay: number): Promise<"retry" | "failed"> {
  if (error instanceof CdcFatalError) {
    await markFailed(ctx, mirror, error.message);
    return "failed";
  }
  const classified = classifyFailure(error);
  const message = classified.fix ? `${classified.message} Fix: ${classified.fix}` : classified.message;
  // A mirror being deleted keeps trying: the user asked for it to go away.
  if (classified.kind === "transient" || mirror.status === "deleting") {
    ctx.logger.warn("mirror step failed; will retry", { mirror: mirror.name, status: mirror.status, code: classified.code });
    await recordMirrorEvent(ctx.catalog, mirror.id, "warn", `${message} Retrying in ${Math.round(retryDelay / 1000)} s.`, { code: classified.code, transient: true });
    return "retry";
  }
  ctx.logger.error("mirror failed", { mirror: mirror.name, status: mirror.status, error });
  await markFailed(ctx, mirror, message);
  return "failed";
}

/** A peer that cannot be reached right now is a passing problem; wrong credentials are not. */
function classifyFailure(error: unknown): ClassifiedError {
  // The catalog's own hiccups (a restart, a lost connection, a row changed under us) pass; the next step re-reads.
  if (/^PrismaClient/.test((error as Error)?.constructor?.name ?? "")) {
    return { kind: "transient", code: "catalog", message: `The catalog could not be read or written: ${(error as Error).message.split("\n").pop()}` };
  }
  if (error instanceof PeerConnectError) {
    return { kind: error.stage === "reachable" ? "transient" : "fatal", code: error.code, message: error.message };
  }
  return classifyPgError(error);
}

