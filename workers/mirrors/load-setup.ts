import type { Mirror, MirrorTable, Prisma } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { transitionMirror } from "@/lib/catalog/transition-mirror";
import { randomUUID } from "node:crypto";
import { storedSettings } from "@/lib/mirrors/settings";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import type { TableLoadPlan } from "@/lib/mirrors/table-plan";
import type { ExportedSnapshot } from "@/lib/pg/snapshot";
import { COPY_MAX_ATTEMPTS, copyQueue } from "@/workers/jobs/copy-partition";
import { finishLoad } from "@/workers/load/finish-load";
import type { Partition } from "@/workers/load/partitions";
import { type PreparedLoad, prepareLoad } from "@/workers/load/prepare-load";
import type { RunnerContext } from "./context";
import { settleEarlyBuilds } from "./load-monitor";
import { phaseRecorder } from "./phase";

export function tableMappings(tables: MirrorTable[]): TableMapping[] {
  return tables.map((t) => ({
    source: { schema: t.sourceSchema, name: t.sourceTable },
    target: { schema: t.targetSchema, name: t.targetTable },
    excludeColumns: t.excludeColumns,
    flatten: t.flatten,
  }));
}

/**
 * Starts (or starts over) a mirror's initial load: prepares it (prepareLoad: target tables,
 * snapshot — in CDC mode publication + slot whose exported snapshot CDC continues from — partitions
 * and copy lanes), writes the partitions as catalog rows of a new load generation and queues one
 * copy job per bundle of partitions, on its lane's queue.
 *
 * Returns the snapshot, which stays valid only while this process keeps it open: the caller
 * holds it until every partition is copied.
 */
export async function startInitialLoad(ctx: RunnerContext, mirror: Mirror & { tables: MirrorTable[] }): Promise<ExportedSnapshot> {
  const settings = storedSettings(mirror.settings);
  const [source, target] = await Promise.all([loadPeerConnection(ctx.catalog, mirror.sourcePeerId), loadPeerConnection(ctx.catalog, mirror.targetPeerId)]);
  // No lock is held on the source tables for the load: a DDL statement queued behind it would block every
  // query on the table. A TRUNCATE or rewrite after the snapshot is detected by the copy instead (the load restarts).
  const prepared = await prepareLoad({
    mirror: mirror.name,
    source,
    target,
    mapping: tableMappings(mirror.tables),
    replication: mirror.mode === "cdc" ? { publicationName: mirror.publicationName, slotName: mirror.slotName } : null,
    settings,
    startOver: mirror.loadGeneration > 0,
  });
  const { snapshot } = prepared;
  try {
    for (const warning of prepared.warnings) await recordMirrorEvent(ctx.catalog, mirror.id, "warn", warning);
    const generation = mirror.loadGeneration + 1;
    const partitionIds = await recordPartitions(ctx, mirror, prepared, generation);

    let jobs = 0;
    for (const [lane, bundles] of prepared.lanes.entries()) {
      for (const bundle of bundles) {
        const ids = bundle.map((partition) => partitionIds.get(partition) as string);
        await ctx.addJob(
          "copy-partition",
          { partitionIds: ids, generation },
          { queueName: copyQueue(mirror.id, generation, lane), jobKey: `copy:${ids[0]}`, maxAttempts: COPY_MAX_ATTEMPTS },
        );
        jobs++;
      }
    }
    const total = prepared.tables.reduce((sum, t) => sum + t.partitions.length, 0);
    await recordMirrorEvent(
      ctx.catalog,
      mirror.id,
      "info",
      `Initial load started: ${prepared.tables.length} table(s) in ${total} partition(s) and ${jobs} copy job(s), ${prepared.lanes.length} copied at a time, from snapshot ${snapshot.snapshotName}.`,
    );
    return snapshot;
  } catch (error) {
    await snapshot.close();
    throw error;
  }
}

/** Replaces the mirror's partition rows with the new generation's and moves the mirror to initial_load; returns each partition's row ID. */
async function recordPartitions(
  ctx: RunnerContext,
  mirror: Mirror & { tables: MirrorTable[] },
  prepared: PreparedLoad,
  generation: number,
): Promise<Map<Partition, string>> {
  return ctx.catalog.$transaction(async (tx) => {
    await tx.partition.deleteMany({ where: { mirrorId: mirror.id } });
    const ids = new Map<Partition, string>();
    const rows: Prisma.PartitionCreateManyInput[] = [];
    // One statement for every table: a round trip per table was most of setup's catalog time with hundreds of tables.
    // prepared.tables follows mirror.tables (the mapping was built from it); positions have gaps once a table is removed.
    const tables = prepared.tables.map(({ plan, sizeBytes }, position) => ({
      id: mirror.tables[position].id,
      rows: String(Math.max(0, Math.round(plan.estimatedRows))),
      bytes: String(sizeBytes),
      plan: JSON.stringify(plan),
    }));
    await tx.$executeRaw`
      UPDATE mirror_tables AS t
         SET status = 'pending', rows_estimated = u.rows, bytes_estimated = u.bytes, load_plan = u.plan,
             load_started_at = NULL, load_finished_at = NULL
        FROM unnest(${tables.map((t) => t.id)}::uuid[], ${tables.map((t) => t.rows)}::bigint[],
                    ${tables.map((t) => t.bytes)}::bigint[], ${tables.map((t) => t.plan)}::jsonb[]) AS u(id, rows, bytes, plan)
       WHERE t.id = u.id`;
    for (const [position, { partitions }] of prepared.tables.entries()) {
      const table = mirror.tables[position];
      for (const partition of partitions) {
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
    // Only from setup: a delete requested during setup wins (the runner's next step sees it).
    await transitionMirror(tx, { id: mirror.id }, "setup", "initial_load", {
      loadGeneration: generation,
      snapshotName: prepared.snapshot.snapshotName,
      consistentPoint: prepared.consistentPoint,
      loadStartedAt: new Date(),
      loadFinishedAt: null,
      errorMessage: null,
    });
    return ids;
  });
}

/**
 * Ends a load whose partitions are all copied: builds the primary keys that setup deferred; for a
 * copy-only mirror (or a CDC mirror set to postData "after_load") the target's indexes, constraints,
 * views, triggers and sequence positions too; then ANALYZE. The phase is recorded for the UI and each
 * object not reproduced becomes a warning in the mirror's log.
 * Idempotent. Throws PostgreSQL's error (e.g. 23505 if the target somehow holds duplicate keys).
 */
export async function finishInitialLoad(ctx: RunnerContext, mirror: Mirror & { tables: MirrorTable[] }, signal?: AbortSignal): Promise<void> {
  const plans = mirror.tables.map((t) => t.loadPlan as unknown as TableLoadPlan | null).filter((p): p is TableLoadPlan => p !== null);
  const settings = storedSettings(mirror.settings);
  const buildNow = mirror.mode !== "cdc" || settings.postData === "after_load";
  const phase = phaseRecorder(ctx.catalog, mirror.id);
  // Keys and indexes of tables that finished copying early are being built: let them end, then build what is left.
  const analyzed = await settleEarlyBuilds(mirror.id);
  try {
    const result = await finishLoad(await loadPeerConnection(ctx.catalog, mirror.targetPeerId), plans, mirror.name, {
      postData: buildNow
        ? { source: await loadPeerConnection(ctx.catalog, mirror.sourcePeerId), mapping: tableMappings(mirror.tables), parallel: settings.parallelIndexBuilds, reproduceGrants: settings.reproduceGrants }
        : undefined,
      onPhase: (name, progress) => phase.update(name, progress),
      signal,
      buildMemoryMb: settings.indexBuildMemoryMb,
      analyzed,
    });
    if (result) {
      for (const { object, reason } of result.skipped) await recordMirrorEvent(ctx.catalog, mirror.id, "warn", `Not reproduced on the target: ${object} — ${reason}.`);
      await recordMirrorEvent(
        ctx.catalog,
        mirror.id,
        "info",
        `Target objects built: ${result.built.length} (indexes, constraints, views, functions, triggers)${result.skipped.length ? `; ${result.skipped.length} not reproduced (see the warnings)` : ""}.`,
      );
    }
  } finally {
    await phase.clear();
  }
}
