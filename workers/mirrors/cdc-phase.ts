import type { Mirror, MirrorTable, Prisma } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { storedSettings } from "@/lib/mirrors/settings";
import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import { tableSyncOf } from "@/lib/mirrors/table-sync";
import { type CdcRun, startCdc } from "@/workers/cdc/stream";
import type { AppliedBatch } from "@/workers/cdc/types";
import type { RunnerContext } from "./context";
import { sleep } from "@/lib/sleep";
import { tableMappings } from "./load-setup";
import { finishTableRemovals } from "./table-removal";

/** How often the mirror's status is re-read while streaming, so a pause or delete takes effect quickly. Default: 500 ms. */
const STATUS_CHECK_INTERVAL_MS = 500;
/** How often lag is measured while streaming. Default: 2 s. */
const LAG_INTERVAL_MS = 2_000;

/**
 * Streams a CDC mirror's changes until its status leaves `whileStatus` ("running") or `signal` fires.
 * Writes each applied batch, per-table counters, lag and slot state to the catalog.
 * Rejects with CdcFatalError (a cause and a fix) when a person must act.
 */
export async function streamChanges(
  ctx: RunnerContext,
  mirror: Mirror & { tables: MirrorTable[] },
  signal: AbortSignal,
  // The cutover (cutover-phase.ts) keeps applying changes while the mirror is in `cutover`.
  whileStatus: "running" | "cutover" = "running",
  // A table sync round (table-sync/round.ts) follows the session's applied position.
  onRun?: (run: CdcRun) => void,
): Promise<SessionEnd> {
  let settings = storedSettings(mirror.settings);
  await finishTableRemovals(ctx, mirror);
  // Tables copied on their own meanwhile are applied by their round's stream, not this one.
  const streamed = mirror.tables.filter((t) => !tableSyncOf(t));
  const syncing = mirror.tables.filter((t) => tableSyncOf(t));
  const [source, target] = await Promise.all([
    loadPeerConnection(ctx.catalog, mirror.sourcePeerId),
    loadPeerConnection(ctx.catalog, mirror.targetPeerId),
  ]);
  // Batches name their tables as the source does; looked up once per session, not per batch.
  const tablesByName = new Map(streamed.map((t) => [formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable }), t]));
  const stop = new AbortController();
  const run = startCdc({
    mirror: mirror.name,
    source,
    target,
    slotName: mirror.slotName,
    publicationName: mirror.publicationName,
    tables: tableMappings(streamed),
    ignoredTables: syncing.map((t) => ({ schema: t.sourceSchema, name: t.sourceTable })),
    startLsn: mirror.consistentPoint ?? undefined,
    signal: AbortSignal.any([signal, stop.signal]),
    maxBatchRows: settings.cdcBatchSize,
    maxBatchLatencyMs: settings.cdcMaxBatchLatencyMs,
    onBatch: (batch) => recordBatch(ctx, mirror.id, tablesByName, batch),
    onEvent: (event) => recordMirrorEvent(ctx.catalog, mirror.id, event.level, event.message, event.detail),
  });
  onRun?.(run);
  await recordMirrorEvent(ctx.catalog, mirror.id, "info", "Continuous replication started.");

  let lastLag = 0;
  let stoppedFor = "stopped" as SessionEnd;
  const watch = (async () => {
    while (!stop.signal.aborted && !signal.aborted) {
      await sleep(STATUS_CHECK_INTERVAL_MS, stop.signal);
      try {
        const current = await ctx.catalog.mirror.findUnique({
          where: { id: mirror.id },
          select: { status: true, settings: true, tables: { where: { status: { not: "removed" } }, select: { syncKind: true } } },
        });
        if (current?.status !== whileStatus) {
          stoppedFor = current?.status === "paused" ? "paused" : "left";
          stop.abort();
          return;
        }
        // An edit of the batch settings applies to this session at its next decision.
        const edited = storedSettings(current.settings);
        if (edited.cdcBatchSize !== settings.cdcBatchSize || edited.cdcMaxBatchLatencyMs !== settings.cdcMaxBatchLatencyMs) {
          run.setLimits({ maxBatchRows: edited.cdcBatchSize, maxBatchLatencyMs: edited.cdcMaxBatchLatencyMs });
          settings = edited;
          await recordMirrorEvent(
            ctx.catalog,
            mirror.id,
            "info",
            `Batch settings applied to the running session (no restart): at most ${edited.cdcBatchSize.toLocaleString("en-US")} rows and ${edited.cdcMaxBatchLatencyMs} ms per batch.`,
          );
        }
        // Tables removed, added or resynced (lib/web/mirrors/edit.ts, actions.ts): end the session cleanly (it
        // commits up to a source commit); the runner starts the next one from the stored position with the
        // new table list. The cutover keeps its session: edits are refused while it runs.
        const streamedNow = current.tables.filter((t) => t.syncKind === null).length;
        if (whileStatus === "running" && (streamedNow !== streamed.length || current.tables.length !== mirror.tables.length)) {
          stoppedFor = "edited";
          stop.abort();
          return;
        }
        if (Date.now() - lastLag < LAG_INTERVAL_MS) continue;
        lastLag = Date.now();
        const lag = await run.lag();
        await ctx.catalog.mirror.update({
          where: { id: mirror.id },
          data: { lagBytes: BigInt(lag.lagBytes), lagSeconds: lag.lagSeconds, lastAppliedLsn: lag.appliedLsn, statsUpdatedAt: new Date() },
        });
      } catch (error) {
        ctx.logger.debug("could not refresh CDC stats", { mirror: mirror.name, error });
      }
    }
  })();
  try {
    await run.done;
  } finally {
    stop.abort();
    await watch;
    // The next session (after an edit, a pause) must not write progress while this one's last reports still do.
    await run.reported();
  }
  if (stoppedFor === "paused") {
    await recordMirrorEvent(ctx.catalog, mirror.id, "info", "Replication stopped: nothing is applied until the mirror is resumed.");
  }
  if (stoppedFor === "edited") {
    await recordMirrorEvent(ctx.catalog, mirror.id, "info", "The mirror's tables changed: replication continues from the stored position with the new table list.");
  }
  return stoppedFor;
}

/**
 * Why a session ended: the mirror was paused; it left the status it streamed in (deleting, resync,
 * cutover, …); its table list changed; or the caller's signal stopped it.
 */
export type SessionEnd = "paused" | "left" | "edited" | "stopped";

async function recordBatch(ctx: RunnerContext, mirrorId: string, tablesByName: Map<string, MirrorTable>, batch: AppliedBatch): Promise<void> {
  const { catalog } = ctx;
  await catalog.$transaction([...mirrorProgressWrites(ctx, mirrorId, batch), ...tableCountWrites(ctx, tablesByName, batch)]);
}

/** A batch's effect on the mirror row and its batch history. */
function mirrorProgressWrites(ctx: RunnerContext, mirrorId: string, batch: AppliedBatch): Prisma.PrismaPromise<unknown>[] {
  const { catalog } = ctx;
  // Locks in one order everywhere (the mirror row, then its tables by id), so two writers of a mirror's
  // progress — an ending session's last reports and the next session's, an edit — wait for each other
  // instead of deadlocking.
  const writes: Prisma.PrismaPromise<unknown>[] = [
    catalog.mirror.update({
      where: { id: mirrorId },
      data: { lastAppliedLsn: batch.lastLsn, ...(batch.commitTime ? { lastCommitAt: batch.commitTime } : {}) },
    }),
  ];
  if (batch.rows > 0) {
    writes.push(
      catalog.cdcBatch.create({
        data: {
          mirrorId,
          rows: batch.rows,
          inserts: batch.inserts,
          updates: batch.updates,
          deletes: batch.deletes,
          firstLsn: batch.firstLsn ?? batch.lastLsn,
          lastLsn: batch.lastLsn,
          durationMs: Math.round(batch.durationMs),
        },
      }),
    );
  }
  return writes;
}

/** A batch's per-table counters, in table id order (see recordBatch). A table sync round's stream records only these. */
export function tableCountWrites(ctx: RunnerContext, tablesByName: Map<string, MirrorTable>, batch: AppliedBatch): Prisma.PrismaPromise<unknown>[] {
  const writes: Prisma.PrismaPromise<unknown>[] = [];
  const counted = batch.tables
    .map((counts) => ({ counts, table: tablesByName.get(counts.table) }))
    .filter(({ counts, table }) => table && counts.inserts + counts.updates + counts.deletes > 0)
    .sort((a, b) => (a.table!.id < b.table!.id ? -1 : 1));
  for (const { counts, table } of counted) {
    writes.push(
      ctx.catalog.mirrorTable.update({
        where: { id: table!.id },
        data: { inserts: { increment: counts.inserts }, updates: { increment: counts.updates }, deletes: { increment: counts.deletes } },
      }),
    );
  }
  return writes;
}

