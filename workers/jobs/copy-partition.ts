import { z } from "zod";
import { loadPeerConnection } from "@/lib/catalog/peers";
import type { PeerConnection } from "@/lib/pg/connection";
import { classifyPgError } from "@/lib/errors/classify";
import { copyPartition, isSnapshotGoneError } from "@/workers/load/partition-copy";
import type { TableLoadPlan } from "@/lib/mirrors/table-plan";
import { COPY_MAX_ATTEMPTS, COPY_PARTITION_TASK } from "@/workers/mirrors/load-setup";
import { defineJob, type JobContext } from "./define-job";

/** Marks a partition that failed because the load's snapshot is gone: the mirror's owner restarts the load. */
export const SNAPSHOT_GONE_PREFIX = "snapshot_gone:";

/** Progress is written to the catalog at most this often per partition. Default: 1 s. */
const PROGRESS_WRITE_INTERVAL_MS = 1_000;

/**
 * Copies one partition of an initial load — or several small ones, one after the other (see
 * bundleSmallPartitions) — from the load's snapshot into the target. Any worker may run it. Stale
 * jobs (an older load generation, a mirror no longer loading, a partition already done) finish
 * without doing anything; the target's bookkeeping makes a repeated copy a no-op, so a job that
 * runs twice never duplicates rows. A bundle stops at a partition that failed for good (that fails
 * the load anyway) and is retried as a whole after a transient error (its done partitions are skipped).
 */
export const copyPartitionJob = defineJob({
  name: COPY_PARTITION_TASK,
  payload: z.union([
    z.object({ partitionIds: z.array(z.uuid()).min(1), generation: z.number().int() }),
    z.object({ partitionId: z.uuid(), generation: z.number().int() }),
  ]),
  async handler(payload, context) {
    const ids = "partitionIds" in payload ? payload.partitionIds : [payload.partitionId];
    // A bundle's partitions share their mirror's peers: read and decrypt them once.
    const peers = new Map<string, Promise<PeerConnection>>();
    const peer = (id: string) => {
      if (!peers.has(id)) peers.set(id, loadPeerConnection(context.catalog, id));
      return peers.get(id) as Promise<PeerConnection>;
    };
    for (const id of ids) {
      if ((await copyOnePartition(id, payload.generation, context, peer)) === "failed") return;
    }
  },
});

/** Copies one partition; "failed" when it failed for good (the load fails or restarts). */
async function copyOnePartition(
  partitionId: string,
  generation: number,
  { catalog, logger, signal, workerId }: JobContext,
  peer: (id: string) => Promise<PeerConnection>,
): Promise<"done" | "skipped" | "failed"> {
  const partition = await catalog.partition.findUnique({ where: { id: partitionId }, include: { table: true, mirror: true } });
  if (!partition) return "skipped";
  const { mirror, table } = partition;
  const current = mirror.status === "initial_load" && mirror.loadGeneration === generation && partition.generation === generation;
  if (!current || partition.status === "done" || !mirror.snapshotName || !table.loadPlan) return "skipped";

  const claimed = await catalog.partition.update({
    where: { id: partitionId },
    data: { status: "copying", attempts: { increment: 1 }, workerId, startedAt: new Date(), error: null },
  });
  const plan = table.loadPlan as unknown as TableLoadPlan;
  let lastWrite = 0;
  try {
    const result = await copyPartition({
      mirror: mirror.name,
      source: await peer(mirror.sourcePeerId),
      target: await peer(mirror.targetPeerId),
      snapshotName: mirror.snapshotName,
      table: { target: plan.target, copyColumns: plan.copyColumns },
      partition: {
        sourceTable: plan.source,
        sourceRelation: { schema: partition.relationSchema, name: partition.relationName },
        startBlock: partition.startBlock,
        endBlock: partition.endBlock,
        index: partition.index,
        estimatedRows: Number(partition.rowsEstimated),
      },
      signal,
      onProgress: (progress) => {
        if (progress.done || Date.now() - lastWrite < PROGRESS_WRITE_INTERVAL_MS) return;
        lastWrite = Date.now();
        void catalog.partition
          .updateMany({ where: { id: partitionId, status: "copying" }, data: { rowsCopied: BigInt(progress.rows), bytesCopied: BigInt(progress.bytes) } })
          .catch(() => {});
      },
    });
    await catalog.partition.update({
      where: { id: partitionId },
      data: { status: "done", rowsCopied: BigInt(result.rows), bytesCopied: BigInt(result.bytes), finishedAt: new Date() },
    });
    return "done";
  } catch (error) {
    if (isSnapshotGoneError(error)) {
      await fail(`${SNAPSHOT_GONE_PREFIX} ${(error as Error).message}`);
      return "failed";
    }
    if (signal.aborted) {
      // The worker is stopping: hand the partition back; the job is retried.
      await catalog.partition.update({ where: { id: partitionId }, data: { status: "pending" } });
      throw error;
    }
    const classified = classifyPgError(error);
    const message = classified.fix ? `${classified.message} Fix: ${classified.fix}` : classified.message;
    if (classified.kind === "transient" && claimed.attempts < COPY_MAX_ATTEMPTS) {
      logger.warn("partition copy failed; will retry", { partitionId, attempt: claimed.attempts, code: classified.code });
      await catalog.partition.update({ where: { id: partitionId }, data: { status: "pending", error: message } });
      throw error;
    }
    await fail(message);
    return "failed";
  }

  async function fail(message: string) {
    await catalog.partition.update({ where: { id: partitionId }, data: { status: "failed", error: message, finishedAt: new Date() } });
  }
}
