import type { Mirror, MirrorTable } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { classifyError } from "@/lib/errors/classify";
import { storedSettings } from "@/lib/mirrors/settings";
import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import { pickRound, type TableSyncPhase } from "@/lib/mirrors/table-sync";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { type Lsn, parseLsn } from "@/lib/pg/lsn";
import { addTablesToPublication } from "@/lib/pg/replication";
import { waitForRunningTransactions } from "@/lib/pg/running-transactions";
import { sleep } from "@/lib/sleep";
import { readProgress } from "@/workers/cdc/progress";
import { type CdcRun, startCdc } from "@/workers/cdc/stream";
import { CdcFatalError } from "@/workers/cdc/types";
import { type SessionEnd, streamChanges, tableCountWrites } from "../cdc-phase";
import type { RunnerContext } from "../context";
import { tableMappings } from "../load-setup";
import { FollowingCeiling } from "./ceiling";
import { copyRound } from "./copy-round";
import { dropSyncObjects, syncObjects } from "./sync-objects";
import { CURRENT_TABLES } from "@/lib/catalog/current-tables";

type LoadedMirror = Mirror & { tables: MirrorTable[] };

/** How often the round's ceiling follows the main stream's applied position. Default: 100 ms. */
const FOLLOW_INTERVAL_MS = 100;

/**
 * `running` while tables are added or resynced: the mirror's main stream keeps applying its other
 * tables (session after session, see streamChanges) while the round copies its tables from a new
 * slot's snapshot and that slot's stream catches them up, never past what the main stream applied
 * (FollowingCeiling). Then the handover: an added table joins the mirror's publication; once every
 * transaction that could have missed that is over and the main stream applied past it, the main
 * stream stops at a stored position P, the round's stream applies the tables' changes up to P, and the
 * next main session — with the tables in its list — applies them from P on. The round's slot and
 * publication are dropped. Returns when the round is over or the mirror left `running`.
 *
 * A worker stopped mid-round resumes it: a copy starts over, a catch-up continues from its position
 * stored on the target. A table whose copy fails for good is marked failed; the mirror keeps running.
 */
export async function replicateWithTableSync(ctx: RunnerContext, mirror: LoadedMirror, signal: AbortSignal): Promise<void> {
  const round = pickRound(mirror.tables);
  if (round.length === 0) {
    await streamChanges(ctx, mirror, signal);
    return;
  }
  const targetPeer = await loadPeerConnection(ctx.catalog, mirror.targetPeerId);
  const ceiling = new FollowingCeiling(await storedPosition(targetPeer, mirror.name));
  const handover = new AbortController();
  const stopSync = new AbortController();
  let mainRun: CdcRun | null = null;
  const follow = setInterval(() => ceiling.raise(mainRun?.appliedLsn() ?? null), FOLLOW_INTERVAL_MS);
  const main = mainSessions(ctx, mirror.id, AbortSignal.any([signal, handover.signal]), (run) => (mainRun = run));
  const sync = prepareHandover(ctx, mirror, round, ceiling, AbortSignal.any([signal, stopSync.signal]));
  try {
    const first = await Promise.race([main.then((end) => ({ end })), sync.then((ready) => ({ ready }))]);
    if ("end" in first) {
      // Paused, deleted, resynced, a failure, or the worker stopping: the round resumes next time.
      stopSync.abort();
      await sync.then((ready) => ready?.stop(), () => {});
      return;
    }
    const ready = first.ready;
    if (!ready) {
      // The round failed for good (its tables are marked) or stopped; the main stream carries on as it was.
      handover.abort();
      await main;
      return;
    }
    handover.abort();
    await main;
    ceiling.raise(mainRun === null ? null : (mainRun as CdcRun).appliedLsn());
    const stoppedAt = await storedPosition(targetPeer, mirror.name);
    ceiling.finalize(stoppedAt);
    try {
      await Promise.race([ceiling.finished, ready.done]);
    } catch (error) {
      await ready.stop();
      if (!(error instanceof CdcFatalError)) throw error;
      await failRound(ctx, mirror, round, error.message);
      return;
    }
    await ready.stop();
    await finishRound(ctx, mirror, round);
  } catch (error) {
    handover.abort();
    stopSync.abort();
    await Promise.allSettled([main, sync.then((ready) => ready?.stop())]);
    throw error;
  } finally {
    clearInterval(follow);
  }
}

/** Main CDC sessions for the tables not in a round, until the handover or the mirror leaves `running`. */
async function mainSessions(ctx: RunnerContext, mirrorId: string, signal: AbortSignal, onRun: (run: CdcRun) => void): Promise<SessionEnd> {
  for (;;) {
    const mirror = await ctx.catalog.mirror.findUnique({
      where: { id: mirrorId },
      include: CURRENT_TABLES,
    });
    if (!mirror || mirror.status !== "running") return "left";
    const end = await streamChanges(ctx, mirror, signal, "running", onRun);
    if (signal.aborted || end !== "edited") return end;
  }
}

/** The round's catch-up stream, running; stop() ends it and waits for its last reports. */
interface CatchUp {
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Copies the round's tables if they are not copied yet, starts their catch-up stream, and returns
 * once the handover may start: the stream has caught up with the main stream, added tables are in the
 * mirror's publication, and the main stream applied past every transaction that began before that.
 * Null when the round failed for good (its tables are marked failed) or was stopped before it.
 */
async function prepareHandover(ctx: RunnerContext, mirror: LoadedMirror, round: MirrorTable[], ceiling: FollowingCeiling, signal: AbortSignal): Promise<CatchUp | null> {
  const names = syncObjects(mirror);
  const [source, target] = await Promise.all([loadPeerConnection(ctx.catalog, mirror.sourcePeerId), loadPeerConnection(ctx.catalog, mirror.targetPeerId)]);
  const listed = round.map((t) => formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable })).join(", ");
  const verb = round[0].syncKind === "add" ? "Adding" : "Resyncing";
  let startLsn: string | undefined;
  if (round.some((t) => t.syncPhase !== "catching_up")) {
    await setPhase(ctx, round, "copying", { status: "copying", loadStartedAt: new Date(), loadFinishedAt: null });
    await recordMirrorEvent(ctx.catalog, mirror.id, "info", `${verb} ${listed}: copying from a new snapshot while the other tables keep replicating.`);
    try {
      const copied = await copyRound(ctx.catalog, mirror, round, signal);
      startLsn = copied.consistentPoint ?? undefined;
      await setPhase(ctx, round, "catching_up", { status: "done", loadFinishedAt: new Date() });
      for (const [i, table] of round.entries()) {
        await ctx.catalog.mirrorTable.update({ where: { id: table.id }, data: { rowsCopiedAlone: BigInt(copied.rowsPerTable[i]) } });
      }
      await recordMirrorEvent(ctx.catalog, mirror.id, "info", `${verb} ${listed}: ${copied.rows.toLocaleString("en-US")} row(s) copied; applying their changes since the snapshot.`);
    } catch (error) {
      if (signal.aborted) return null;
      const classified = classifyError(error);
      if (classified.kind === "retry") throw error;
      await failRound(ctx, mirror, round, classified.fix ? `${classified.message} Fix: ${classified.fix}` : classified.message);
      return null;
    }
  }
  const settings = storedSettings(mirror.settings);
  const stop = new AbortController();
  const byName = new Map(round.map((t) => [formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable }), t]));
  const run = startCdc({
    mirror: names.key,
    source,
    target,
    slotName: names.slotName,
    publicationName: names.publicationName,
    tables: tableMappings(round),
    startLsn,
    ceiling,
    signal: AbortSignal.any([signal, stop.signal]),
    maxBatchRows: settings.cdcBatchSize,
    maxBatchLatencyMs: settings.cdcMaxBatchLatencyMs,
    // Idle, it stores its position soon, so the handover waits little for it.
    idleAckIntervalMs: 1_000,
    onBatch: (batch) => ctx.catalog.$transaction(tableCountWrites(ctx, byName, batch)).then(() => {}),
    onEvent: (event) => recordMirrorEvent(ctx.catalog, mirror.id, event.level, event.message, event.detail),
  });
  // A stream waiting for the main stream must not wait through a stop (the main stream may be stopped already).
  // The runner's signal outlives the round: the listener goes when the stream ends.
  const abandon = () => ceiling.abandon();
  if (signal.aborted) abandon();
  else signal.addEventListener("abort", abandon, { once: true });
  run.done.finally(() => signal.removeEventListener("abort", abandon)).catch(() => {});
  const catchUp: CatchUp = {
    done: run.done,
    stop: async () => {
      ceiling.abandon();
      stop.abort();
      await run.done.catch(() => {});
      await run.reported();
    },
  };
  try {
    await Promise.race([untilCaughtUp(ceiling, signal), run.done]);
    signal.throwIfAborted();
    const added = round.filter((t) => t.syncKind === "add").map((t) => ({ schema: t.sourceSchema, name: t.sourceTable }));
    if (added.length > 0) {
      const client = await connectPeer(source, `sync:${mirror.name}:publish`);
      try {
        await addTablesToPublication(client, mirror.publicationName, added);
        const after = parseLsn(
          await waitForRunningTransactions(client, {
            signal,
            onWaiting: ({ session, xid, waitedMs }) =>
              void recordMirrorEvent(
                ctx.catalog,
                mirror.id,
                "warn",
                `Adding ${listed} waits for transaction ${xid} (session ${session}) on the source to end, ${Math.round(waitedMs / 1000)} s so far: it began before the tables joined the publication. The other tables keep replicating.`,
              ),
          }),
        );
        await Promise.race([untilPassed(ceiling, after, signal), run.done]);
      } finally {
        await client.end().catch(() => {});
      }
    }
    signal.throwIfAborted();
    return catchUp;
  } catch (error) {
    await catchUp.stop();
    if (signal.aborted) return null;
    // The catch-up stream's own failure (it retries transient ones itself): its tables fail, not the mirror.
    if (!(error instanceof CdcFatalError)) throw error;
    await failRound(ctx, mirror, round, error.message);
    return null;
  }
}

/**
 * A round that failed for good: its tables are marked failed and stay out of the mirror's stream
 * (their target tables are not trustworthy) until a resync of them; the other tables keep replicating.
 */
async function failRound(ctx: RunnerContext, mirror: LoadedMirror, round: MirrorTable[], message: string): Promise<void> {
  await ctx.catalog.mirrorTable.updateMany({ where: { id: { in: round.map((t) => t.id) } }, data: { status: "failed" } });
  const listed = round.map((t) => formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable })).join(", ");
  const verb = round[0].syncKind === "add" ? "Adding" : "Resyncing";
  await recordMirrorEvent(ctx.catalog, mirror.id, "error", `${verb} ${listed} failed: ${message} The other tables keep replicating; resync the table(s) to try again.`);
  await dropSyncObjects(ctx.catalog, mirror);
}

async function untilCaughtUp(ceiling: FollowingCeiling, signal: AbortSignal): Promise<void> {
  while (!ceiling.caughtUp && !signal.aborted) await sleep(FOLLOW_INTERVAL_MS, signal);
}

async function untilPassed(ceiling: FollowingCeiling, lsn: Lsn, signal: AbortSignal): Promise<void> {
  while (ceiling.position < lsn && !signal.aborted) await sleep(FOLLOW_INTERVAL_MS, signal);
}

/** The round is over: its tables stream with the others from the next main session on. */
async function finishRound(ctx: RunnerContext, mirror: LoadedMirror, round: MirrorTable[]): Promise<void> {
  await ctx.catalog.mirrorTable.updateMany({ where: { id: { in: round.map((t) => t.id) } }, data: { syncKind: null, syncPhase: null } });
  const listed = round.map((t) => formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable })).join(", ");
  await recordMirrorEvent(ctx.catalog, mirror.id, "info", `${round[0].syncKind === "add" ? "Added" : "Resynced"} ${listed}: caught up; replicating with the other tables.`);
  await dropSyncObjects(ctx.catalog, mirror);
}

export async function setPhase(ctx: RunnerContext, tables: MirrorTable[], phase: TableSyncPhase, data: { status: string; loadStartedAt?: Date; loadFinishedAt: Date | null }): Promise<void> {
  await ctx.catalog.mirrorTable.updateMany({ where: { id: { in: tables.map((t) => t.id) } }, data: { syncPhase: phase, ...data } });
}

/** The main stream's position stored on the target (0 before it ever stored one). */
async function storedPosition(peer: PeerConnection, mirror: string): Promise<Lsn> {
  const client = await connectPeer(peer, `sync:${mirror}:position`);
  try {
    return (await readProgress(client, mirror)) ?? 0n;
  } finally {
    await client.end().catch(() => {});
  }
}
