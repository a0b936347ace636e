import type { Mirror, MirrorTable, Prisma } from "@/lib/catalog/generated/client";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { onlineWorkerIds } from "@/lib/catalog/workers";
import { storedSettings } from "@/lib/mirrors/settings";
import type { TableLoadPlan } from "@/lib/mirrors/table-plan";
import { COPY_MAX_ATTEMPTS, copyQueue } from "@/workers/jobs/copy-partition";
import { SNAPSHOT_GONE } from "@/workers/load/copy-bundle";
import { EarlyBuilds } from "@/workers/load/early-builds";
import type { RunnerContext } from "./context";
import { tableMappings } from "./load-setup";

/** What a look at a load reads of each partition (also run by workers/runtime/warm-up.ts). */
export const PARTITION_SUMMARY = {
  id: true,
  mirrorTableId: true,
  status: true,
  error: true,
  errorCode: true,
  workerId: true,
  startedAt: true,
  finishedAt: true,
  attempts: true,
} as const satisfies Prisma.PartitionSelect;

/** What the roll-up reads of each table (also run by workers/runtime/warm-up.ts). */
export const TABLE_ROLLUP = { id: true, status: true, loadStartedAt: true, loadFinishedAt: true } as const satisfies Prisma.MirrorTableSelect;

export type LoadState =
  | { kind: "copying" }
  | { kind: "done" }
  | { kind: "snapshot_gone"; reason: string }
  | { kind: "failed"; message: string };

/**
 * One look at a load in progress: rolls partition rows up into per-table status and times, hands
 * partitions held by workers that went offline back to the queue, and says whether the load is
 * still copying, done, or must restart or fail. Tables whose copy is done get their keys and
 * indexes built while the others copy (early-builds.ts); a load that fails or restarts stops that.
 */
export async function checkLoad(ctx: RunnerContext, mirror: Mirror & { tables: MirrorTable[] }): Promise<LoadState> {
  const { catalog } = ctx;
  const partitions = await catalog.partition.findMany({
    where: { mirrorId: mirror.id, generation: mirror.loadGeneration },
    select: PARTITION_SUMMARY,
  });
  const gone = partitions.find((p) => p.status === "failed" && p.errorCode === SNAPSHOT_GONE);
  if (gone) {
    await stopEarlyBuilds(mirror.id);
    return { kind: "snapshot_gone", reason: gone.error ?? "a partition could not read it" };
  }
  const failed = partitions.find((p) => p.status === "failed");

  await rollUpTables(ctx, partitions);
  if (failed) {
    await stopEarlyBuilds(mirror.id);
    return { kind: "failed", message: failed.error ?? "A partition copy failed." };
  }
  // Once every copy is done, finishInitialLoad builds the rest with its own pool of connections.
  if (partitions.some((p) => p.status !== "done")) await startEarlyBuilds(ctx, mirror, partitions);
  await requeueOrphans(ctx, mirror, partitions);
  return partitions.every((p) => p.status === "done") ? { kind: "done" } : { kind: "copying" };
}

type PartitionSummary = Prisma.PartitionGetPayload<{ select: typeof PARTITION_SUMMARY }>;

/** Writes each table's status and times, derived from its partitions; only rows that changed are written. */
async function rollUpTables(ctx: RunnerContext, partitions: PartitionSummary[]): Promise<void> {
  const byTable = new Map<string, PartitionSummary[]>();
  for (const p of partitions) byTable.set(p.mirrorTableId, [...(byTable.get(p.mirrorTableId) ?? []), p]);
  const current = await ctx.catalog.mirrorTable.findMany({
    where: { id: { in: [...byTable.keys()] } },
    select: TABLE_ROLLUP,
  });
  for (const table of current) {
    const parts = byTable.get(table.id) ?? [];
    const status = parts.some((p) => p.status === "failed")
      ? "failed"
      : parts.every((p) => p.status === "done")
        ? "done"
        : parts.some((p) => p.startedAt)
          ? "copying"
          : "pending";
    const started = parts.map((p) => p.startedAt?.getTime()).filter((t): t is number => t !== undefined);
    const finished = parts.map((p) => p.finishedAt?.getTime() ?? Infinity);
    const loadStartedAt = started.length ? new Date(Math.min(...started)) : null;
    const loadFinishedAt = status === "done" ? new Date(Math.max(...finished)) : null;
    const unchanged =
      table.status === status && table.loadStartedAt?.getTime() === loadStartedAt?.getTime() && table.loadFinishedAt?.getTime() === loadFinishedAt?.getTime();
    if (unchanged) continue;
    await ctx.catalog.mirrorTable.update({ where: { id: table.id }, data: { status, loadStartedAt, loadFinishedAt } });
  }
}

/**
 * A partition being copied by a worker that died stays locked in graphile-worker for hours; its
 * bookkeeping on the target shows nothing (the transaction died with the worker), so queue it
 * again under a new job key.
 */
async function requeueOrphans(ctx: RunnerContext, mirror: Mirror, partitions: PartitionSummary[]): Promise<void> {
  const copying = partitions.filter((p) => p.status === "copying");
  if (copying.length === 0) return;
  const online = await onlineWorkerIds(ctx.catalog);
  for (const orphan of copying.filter((p) => !p.workerId || !online.has(p.workerId))) {
    const { count } = await ctx.catalog.partition.updateMany({
      where: { id: orphan.id, status: "copying", workerId: orphan.workerId },
      data: { status: "pending", workerId: null },
    });
    if (count === 0) continue;
    await ctx.addJob(
      "copy-partition",
      { partitionId: orphan.id, generation: mirror.loadGeneration },
      // Its own queue: the lane it came from may be locked by the dead worker.
      { queueName: copyQueue(mirror.id, mirror.loadGeneration, `requeued:${orphan.id}:${orphan.attempts}`), jobKey: `copy:${orphan.id}:${orphan.attempts}`, maxAttempts: COPY_MAX_ATTEMPTS },
    );
  }
}

/** Early builds of the loads this process's runners watch, by mirror ID (a cache of work: finishLoad redoes what is lost). */
const earlyBuilds = new Map<string, { generation: number; builds: EarlyBuilds }>();

/** Queues the tables whose partitions are all done for their key and index builds. */
async function startEarlyBuilds(ctx: RunnerContext, mirror: Mirror & { tables: MirrorTable[] }, partitions: PartitionSummary[]): Promise<void> {
  const notDone = new Set(partitions.filter((p) => p.status !== "done").map((p) => p.mirrorTableId));
  const plans = mirror.tables
    .filter((t) => !notDone.has(t.id) && partitions.some((p) => p.mirrorTableId === t.id))
    .map((t) => t.loadPlan as unknown as TableLoadPlan | null)
    .filter((p): p is TableLoadPlan => p !== null);
  if (plans.length === 0) return;
  let entry = earlyBuilds.get(mirror.id);
  if (entry && entry.generation !== mirror.loadGeneration) {
    await stopEarlyBuilds(mirror.id);
    entry = undefined;
  }
  if (!entry) {
    const settings = storedSettings(mirror.settings);
    // As finishInitialLoad decides: secondary indexes only when the load builds post-data now.
    const withIndexes = mirror.mode !== "cdc" || settings.postData === "after_load";
    const [target, source] = await Promise.all([
      loadPeerConnection(ctx.catalog, mirror.targetPeerId),
      withIndexes ? loadPeerConnection(ctx.catalog, mirror.sourcePeerId) : null,
    ]);
    const builds = new EarlyBuilds({
      mirror: mirror.name,
      target,
      indexesFrom: source ? { source, mapping: tableMappings(mirror.tables) } : undefined,
      logger: ctx.logger,
      buildMemoryMb: settings.indexBuildMemoryMb,
    });
    entry = { generation: mirror.loadGeneration, builds };
    earlyBuilds.set(mirror.id, entry);
  }
  entry.builds.add(plans);
}

/**
 * Waits for the early builds of a load whose copies are all done (finishInitialLoad builds the rest);
 * returns the tables they built and analyzed (quoteQualified target names).
 */
export async function settleEarlyBuilds(mirrorId: string): Promise<Set<string>> {
  const entry = earlyBuilds.get(mirrorId);
  if (!entry) return new Set();
  const analyzed = await entry.builds.drain();
  earlyBuilds.delete(mirrorId);
  return analyzed;
}

async function stopEarlyBuilds(mirrorId: string): Promise<void> {
  const entry = earlyBuilds.get(mirrorId);
  if (!entry) return;
  earlyBuilds.delete(mirrorId);
  await entry.builds.stop();
}
