import { z } from "zod";
import type { Prisma, PrismaClient } from "@/lib/catalog/generated/client";
import { loadPeerConnection } from "@/lib/catalog/peers";
import type { TableLoadPlan } from "@/lib/mirrors/table-plan";
import type { PeerConnection } from "@/lib/pg/connection";
import { copyBundle, type CopyLedger } from "@/workers/load/copy-bundle";
import { signalLoadProgress } from "@/workers/runtime/wakeups";
import { defineJob } from "./define-job";

export { COPY_MAX_ATTEMPTS } from "@/workers/load/copy-bundle";

type BundlePartition = Prisma.PartitionGetPayload<{ include: { table: true; mirror: true } }>;

/** Progress is written to the catalog at most this often per partition. Default: 1 s. */
const PROGRESS_WRITE_INTERVAL_MS = 1_000;

/**
 * The graphile-worker queue of one copy lane. Jobs of a queue run one at a time; a worker killed
 * mid-job leaves its queue locked for hours, so every load generation gets fresh queues.
 */
export function copyQueue(mirrorId: string, generation: number, lane: number | string): string {
  return `copy:${mirrorId}:g${generation}:${lane}`;
}

/**
 * Copies one partition of an initial load — or several small ones, one after the other (see
 * bundleSmallPartitions) — from the load's snapshot into the target. Any worker may run it. Stale
 * jobs (an older load generation, a mirror no longer loading, a partition already done) finish
 * without doing anything; the target's bookkeeping makes a repeated copy a no-op, so a job that
 * runs twice never duplicates rows. A bundle stops at a partition that failed for good (that fails
 * the load anyway) and is retried as a whole after a transient error (its done partitions are skipped).
 */
export const copyPartitionJob = defineJob({
  name: "copy-partition",
  payload: z.union([
    z.object({ partitionIds: z.array(z.uuid()).min(1), generation: z.number().int() }),
    z.object({ partitionId: z.uuid(), generation: z.number().int() }),
  ]),
  async handler(payload, { catalog, logger, signal, workerId }) {
    const ids = "partitionIds" in payload ? payload.partitionIds : [payload.partitionId];
    const ledger = catalogLedger(catalog, workerId, payload.generation, ids);
    try {
      await copyBundle(ids, ledger, { signal, logger });
    } finally {
      // Done, failed or handed back: the mirror's runner looks now rather than at its next poll.
      if (ledger.mirrorId) await signalLoadProgress(catalog, ledger.mirrorId);
    }
  },
});

/**
 * Runs each catalog statement of a copy job once against no row (an ID that matches nothing), so
 * that Prisma compiles their query plans before the first real job (see workers/runtime/warm-up.ts).
 */
export async function warmUpCopyLedger(catalog: PrismaClient, workerId: string): Promise<void> {
  const none = "00000000-0000-4000-8000-000000000000";
  const ledger = catalogLedger(catalog, workerId, -1, [none]);
  // The writes of a missing row fail with "record not found" after their plan was compiled.
  const ignore = () => {};
  await ledger.claim(none);
  await catalog.partition.updateMany({ where: { id: none, status: "copying" }, data: { rowsCopied: 0n, bytesCopied: 0n } });
  await ledger.done(none, { rows: 0, bytes: 0 } as Parameters<typeof ledger.done>[1]).catch(ignore);
  await ledger.release(none, null).catch(ignore);
  await ledger.release(none, "warm-up").catch(ignore);
  await ledger.fail(none, { message: "warm-up", code: "warm-up" } as Parameters<typeof ledger.fail>[1]).catch(ignore);
}

/**
 * The copy's record in the catalog: partition rows of the mirror's current load generation. The
 * bundle's partitions, tables and mirror are read once (what a claim needs of them does not change
 * within a generation); each claim is then one conditional UPDATE that checks, at that moment, that
 * the partition is not done and the mirror is still loading this generation.
 */
function catalogLedger(catalog: PrismaClient, workerId: string, generation: number, bundle: string[]): CopyLedger<string> & { mirrorId: string | null } {
  // A bundle's partitions share their mirror's peers: read and decrypt them once.
  const peers = new Map<string, Promise<PeerConnection>>();
  const peer = (id: string) => {
    if (!peers.has(id)) peers.set(id, loadPeerConnection(catalog, id));
    return peers.get(id) as Promise<PeerConnection>;
  };
  const lastWrite = new Map<string, number>();
  let rows: Promise<Map<string, BundlePartition>> | null = null;
  const bundleRows = (id: string) => {
    rows ??= catalog.partition
      .findMany({ where: { id: { in: bundle.includes(id) ? bundle : [...bundle, id] } }, include: { table: true, mirror: true } })
      .then((found) => new Map(found.map((row) => [row.id, row])));
    return rows;
  };

  return {
    /** The mirror of the partitions claimed (a job's partitions are all one mirror's). */
    mirrorId: null,
    async claim(id) {
      const partition = (await bundleRows(id)).get(id);
      if (!partition) return null;
      const { mirror, table } = partition;
      this.mirrorId = mirror.id;
      if (partition.generation !== generation || !mirror.snapshotName || !table.loadPlan) return null;

      const claimed = await catalog.$queryRaw<{ attempts: number }[]>`
        UPDATE partitions AS p
           SET status = 'copying', attempts = p.attempts + 1, worker_id = ${workerId}, started_at = ${new Date()},
               error = NULL, error_code = NULL
         WHERE p.id = ${id}::uuid AND p.status <> 'done' AND p.generation = ${generation}
           AND EXISTS (SELECT 1 FROM mirrors AS m
                        WHERE m.id = p.mirror_id AND m.status = 'initial_load' AND m.load_generation = ${generation}
                          AND m.snapshot_name = ${mirror.snapshotName})
        RETURNING p.attempts`;
      if (claimed.length === 0) return null;
      const plan = table.loadPlan as unknown as TableLoadPlan;
      return {
        attempt: claimed[0].attempts,
        copy: {
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
        },
      };
    },
    progress(id, progress) {
      if (progress.done || Date.now() - (lastWrite.get(id) ?? 0) < PROGRESS_WRITE_INTERVAL_MS) return;
      lastWrite.set(id, Date.now());
      void catalog.partition
        .updateMany({ where: { id, status: "copying" }, data: { rowsCopied: BigInt(progress.rows), bytesCopied: BigInt(progress.bytes) } })
        .catch(() => {});
    },
    async done(id, result) {
      await catalog.partition.update({
        where: { id },
        data: { status: "done", rowsCopied: BigInt(result.rows), bytesCopied: BigInt(result.bytes), finishedAt: new Date() },
      });
    },
    async release(id, error) {
      await catalog.partition.update({ where: { id }, data: error === null ? { status: "pending" } : { status: "pending", error } });
    },
    async fail(id, failure) {
      await catalog.partition.update({
        where: { id },
        data: { status: "failed", error: failure.message, errorCode: failure.code, finishedAt: new Date() },
      });
    },
  };
}
