import type { Mirror, MirrorTable, Prisma } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { randomUUID } from "node:crypto";
import { assignLanes, bundleSmallPartitions } from "@/workers/load/load-order";
import type { MirrorSettings } from "@/lib/mirrors/settings";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { connectPeer } from "@/lib/pg/connect";
import { describeTables } from "@/lib/pg/describe";
import { createSlotSnapshot, type ExportedSnapshot, exportSnapshot } from "@/lib/pg/snapshot";
import { dropSlot } from "@/lib/pg/snapshot-cleanup";
import { ensurePublication } from "@/lib/pg/snapshot-publication";
import { clearMirrorBookkeeping, listDonePartitions } from "@/lib/mirrors/target-bookkeeping";
import { type Partition, planPartitions } from "@/workers/load/partitions";
import { buildTablePlans, type TableLoadPlan } from "@/lib/mirrors/table-plan";
import { ensurePrimaryKeys, ensureTargetTablesFor, truncateTargetTables } from "@/workers/load/target-ddl";
import type { RunnerContext } from "./context";

/** The graphile-worker task that copies one partition (workers/jobs/copy-partition.ts). */
export const COPY_PARTITION_TASK = "copy-partition";

/** Copy attempts before a partition fails the mirror. Default: 5. */
export const COPY_MAX_ATTEMPTS = 5;

/**
 * The graphile-worker queue of one copy lane. Jobs of a queue run one at a time; a worker killed
 * mid-job leaves its queue locked for hours, so every load generation gets fresh queues.
 */
export function copyQueue(mirrorId: string, generation: number, lane: number | string): string {
  return `copy:${mirrorId}:g${generation}:${lane}`;
}

/**
 * Rows per partition for one table: the setting, shrunk so that a table split at all is split into a
 * multiple of the copy lanes. 5 partitions on 4 lanes would leave the fifth running alone at the end;
 * 8 smaller ones keep every lane busy until the table is done.
 */
export function rowsPerPartitionFor(estimatedRows: number, settings: Pick<MirrorSettings, "rowsPerPartition" | "parallelCopyWorkers">): number {
  const partitions = Math.ceil(estimatedRows / settings.rowsPerPartition);
  if (partitions <= 1) return settings.rowsPerPartition;
  const lanes = settings.parallelCopyWorkers;
  return Math.ceil(estimatedRows / (Math.ceil(partitions / lanes) * lanes));
}

export function tableMappings(tables: MirrorTable[]): TableMapping[] {
  return tables.map((t) => ({
    source: { schema: t.sourceSchema, name: t.sourceTable },
    target: { schema: t.targetSchema, name: t.targetTable },
    excludeColumns: t.excludeColumns,
  }));
}

/**
 * Starts (or starts over) a mirror's initial load: creates the target tables, takes the snapshot
 * (in CDC mode: publication + slot whose exported snapshot CDC continues from), plans partitions,
 * writes them as catalog rows of a new load generation and queues one copy job per partition.
 *
 * Returns the snapshot, which stays valid only while this process keeps it open: the caller
 * holds it until every partition is copied. An earlier generation's rows on the target are
 * truncated first — they came from a snapshot that no longer exists.
 */
export async function startInitialLoad(ctx: RunnerContext, mirror: Mirror & { tables: MirrorTable[] }): Promise<ExportedSnapshot> {
  const settings = mirror.settings as unknown as MirrorSettings;
  const [sourcePeer, targetPeer] = await Promise.all([
    loadPeerConnection(ctx.catalog, mirror.sourcePeerId),
    loadPeerConnection(ctx.catalog, mirror.targetPeerId),
  ]);
  const mapping = tableMappings(mirror.tables);
  const source = await connectPeer(sourcePeer, `setup:${mirror.name}`);
  const target = await connectPeer(targetPeer, `setup:${mirror.name}`);
  let snapshot: ExportedSnapshot | null = null;
  try {
    const description = await describeTables(source, mapping.map((m) => m.source));
    const plans = buildTablePlans(description, mapping);
    if (mirror.loadGeneration > 0 || (await listDonePartitions(target, mirror.name)).length > 0) {
      // TRUNCATE waits for copies of the old generation still writing, so none lands after it.
      await truncateTargetTables(target, mapping);
      await clearMirrorBookkeeping(target, mirror.name);
    }
    // Primary keys are built once the rows are in (finishInitialLoad): one index build beats maintaining it row by row.
    const { warnings } = await ensureTargetTablesFor(target, description, plans, { deferPrimaryKey: true });
    for (const warning of warnings) await recordMirrorEvent(ctx.catalog, mirror.id, "warn", warning);

    // No lock is held on the source tables for the load: a DDL statement queued behind it would block every
    // query on the table. A TRUNCATE or rewrite after the snapshot is detected by the copy instead (the load restarts).
    if (mirror.mode === "cdc") {
      await ensurePublication(source, mirror.publicationName, mapping.map((m) => m.source));
      // A slot left by an earlier attempt has no usable snapshot: replace it.
      await dropSlot(source, mirror.slotName);
      snapshot = await createSlotSnapshot(sourcePeer, mirror.slotName, { purpose: `snapshot:${mirror.name}` });
    } else {
      snapshot = await exportSnapshot(sourcePeer, { purpose: `snapshot:${mirror.name}` });
    }

    const partitionsByTable: Partition[][] = [];
    for (const plan of plans) {
      partitionsByTable.push(await planPartitions(source, plan, { rowsPerPartition: rowsPerPartitionFor(plan.estimatedRows, settings) }));
    }
    const generation = mirror.loadGeneration + 1;
    const partitionIds = await ctx.catalog.$transaction(async (tx) => {
      await tx.partition.deleteMany({ where: { mirrorId: mirror.id } });
      const ids = new Map<object, string>();
      const rows: Prisma.PartitionCreateManyInput[] = [];
      for (const [position, plan] of plans.entries()) {
        const table = mirror.tables.find((t) => t.position === position) ?? mirror.tables[position];
        const described = description.tables.find((d) => d.name.schema === plan.source.schema && d.name.name === plan.source.name);
        await tx.mirrorTable.update({
          where: { id: table.id },
          data: {
            status: "pending",
            rowsEstimated: BigInt(Math.max(0, Math.round(plan.estimatedRows))),
            bytesEstimated: BigInt(described?.sizeBytes ?? 0),
            loadPlan: JSON.parse(JSON.stringify(plan)),
            loadStartedAt: null,
            loadFinishedAt: null,
          },
        });
        for (const partition of partitionsByTable[position]) {
          const id = randomUUID();
          rows.push({
            id,
            mirrorId: mirror.id,
            mirrorTableId: table.id,
            generation,
            index: partition.index,
            relationSchema: partition.sourceRelation.schema,
            relationName: partition.sourceRelation.name,
            startBlock: partition.startBlock,
            endBlock: partition.endBlock,
            rowsEstimated: BigInt(Math.max(0, Math.round(partition.estimatedRows))),
          });
          ids.set(partition, id);
        }
      }
      await tx.partition.createMany({ data: rows });
      await tx.mirror.update({
        where: { id: mirror.id },
        data: {
          status: "initial_load",
          loadGeneration: generation,
          snapshotName: snapshot!.snapshotName,
          consistentPoint: "consistentPoint" in snapshot! ? (snapshot as { consistentPoint: string }).consistentPoint : null,
          loadStartedAt: new Date(),
          loadFinishedAt: null,
          errorMessage: null,
        },
      });
      return ids;
    });

    const lanes = assignLanes(partitionsByTable, settings.parallelCopyWorkers, settings.tablesInParallel);
    let jobs = 0;
    for (const [lane, partitions] of lanes.entries()) {
      for (const bundle of bundleSmallPartitions(partitions)) {
        const ids = bundle.map((partition) => partitionIds.get(partition) as string);
        await ctx.addJob(
          COPY_PARTITION_TASK,
          { partitionIds: ids, generation },
          { queueName: copyQueue(mirror.id, generation, lane), jobKey: `copy:${ids[0]}`, maxAttempts: COPY_MAX_ATTEMPTS },
        );
        jobs++;
      }
    }
    const total = partitionsByTable.reduce((sum, p) => sum + p.length, 0);
    await recordMirrorEvent(
      ctx.catalog,
      mirror.id,
      "info",
      `Initial load started: ${plans.length} table(s) in ${total} partition(s) and ${jobs} copy job(s), ${lanes.length} copied at a time, from snapshot ${snapshot.snapshotName}.`,
    );
    return snapshot;
  } catch (error) {
    await snapshot?.close();
    throw error;
  } finally {
    await Promise.all([source.end().catch(() => {}), target.end().catch(() => {})]);
  }
}

/**
 * Ends a load whose partitions are all copied: builds the primary keys that setup deferred.
 * Idempotent. Throws PostgreSQL's error (e.g. 23505 if the target somehow holds duplicate keys).
 */
export async function finishInitialLoad(ctx: RunnerContext, mirror: Mirror & { tables: MirrorTable[] }): Promise<void> {
  const plans = mirror.tables.map((t) => t.loadPlan as unknown as TableLoadPlan | null).filter((p): p is TableLoadPlan => p !== null);
  const target = await connectPeer(await loadPeerConnection(ctx.catalog, mirror.targetPeerId), `finish:${mirror.name}`);
  try {
    await target.query("SET statement_timeout = 0");
    await ensurePrimaryKeys(target, plans);
  } finally {
    await target.end().catch(() => {});
  }
}
