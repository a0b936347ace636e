import { clearMirrorBookkeeping, listDonePartitions } from "@/lib/mirrors/target-bookkeeping";
import type { MirrorSettings } from "@/lib/mirrors/settings";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { buildTablePlans, type TableLoadPlan } from "@/lib/mirrors/table-plan";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { describeTables, type SourceDescription } from "@/lib/pg/describe";
import { dropSlot, ensurePublication } from "@/lib/pg/replication";
import { createSlotSnapshot, type ExportedSnapshot, exportSnapshot } from "@/lib/pg/snapshot";
import { assignLanes, bundleSmallPartitions, largestFirst, rowsPerPartitionFor } from "./load-order";
import { type Partition, planPartitionsOfTables } from "./partitions";
import { ensureTargetTablesFor, truncateTargetTables } from "./target-ddl";
import { readPreData } from "@/workers/schema/pre-data";

/** What a load is asked to copy, and how. */
export interface LoadRequest {
  /** Mirror name: the key of the load's bookkeeping on the target. */
  mirror: string;
  source: PeerConnection;
  target: PeerConnection;
  mapping: TableMapping[];
  /** CDC mode: the publication and slot whose exported snapshot CDC continues from. null: copy only, nothing is created on the source. */
  replication: { publicationName: string; slotName: string } | null;
  settings: Pick<MirrorSettings, "rowsPerPartition" | "parallelCopyWorkers" | "tablesInParallel">;
  /** An earlier load of this mirror started: clear the target even if it recorded no partition done. Default: false. */
  startOver?: boolean;
  /**
   * Hold a shared lock on the source tables until the snapshot is closed, so a TRUNCATE or table
   * rewrite waits for the load instead of forcing a restart. Default: false — and the worker never
   * sets it: on a busy source, a DDL statement queued behind that lock blocks every later query on the table.
   */
  lockSourceTables?: boolean;
  /**
   * Create missing target tables with the source's pre-data (partitions, defaults, sequences, …).
   * Default: true; false for a staging table that only holds rows (a table resync's shadow).
   */
  preData?: boolean;
}

export interface PreparedTable {
  plan: TableLoadPlan;
  /** Source size in bytes (all leaves), for progress. */
  sizeBytes: number;
  partitions: Partition[];
}

/** A load ready to copy: computed once, then queued as jobs (the worker) or run in this process (in-process-load.ts). */
export interface PreparedLoad {
  /** In mapping order. */
  tables: PreparedTable[];
  /**
   * Copy lanes: at most `parallelCopyWorkers` partitions are copied at once, one per lane. A lane is a
   * sequence of bundles, and a bundle — one copy job — is partitions copied one after the other.
   */
  lanes: Partition[][][];
  /** Every partition reads this snapshot; it lives until the caller closes it. */
  snapshot: ExportedSnapshot;
  /** CDC mode: the LSN where the slot's change stream continues after the snapshot. */
  consistentPoint: string | null;
  /** Target DDL warnings, for the user. */
  warnings: string[];
}

/**
 * Prepares an initial load: describes the source tables, creates the target tables (primary keys
 * deferred: one index build beats maintaining it row by row, see finishLoad), takes the snapshot
 * (CDC mode: publication + slot), plans the partitions and deals them over the copy lanes.
 *
 * The snapshot is taken after the target DDL, so a target that fails its checks leaves no slot behind.
 * Rows and bookkeeping left on the target by an earlier load came from a snapshot that no longer
 * exists: they are removed first (TRUNCATE waits for a copy of that load still writing, so none
 * lands after it). In CDC mode a slot of the same name is dropped and created anew. On failure
 * nothing stays open; in CDC mode the publication stays (the mirror's teardown drops it).
 */
export async function prepareLoad(request: LoadRequest): Promise<PreparedLoad> {
  const { mirror, mapping, settings } = request;
  const source = await connectPeer(request.source, `setup:${mirror}`);
  let snapshot: ExportedSnapshot | null = null;
  try {
    const target = await connectPeer(request.target, `setup:${mirror}`);
    let warnings: string[];
    let plans: TableLoadPlan[];
    let description: SourceDescription;
    try {
      description = await describeTables(source, mapping.map((m) => m.source));
      plans = buildTablePlans(description, mapping);
      const preData = request.preData === false ? undefined : await readPreData(source, mapping);
      if (request.startOver || (await listDonePartitions(target, mirror)).length > 0) {
        await truncateTargetTables(target, mapping);
        await clearMirrorBookkeeping(target, mirror);
      }
      ({ warnings } = await ensureTargetTablesFor(target, description, plans, { deferPrimaryKey: true, preData }));
    } finally {
      await target.end().catch(() => {});
    }

    const lockTables = request.lockSourceTables ? mapping.map((m) => m.source) : [];
    const purpose = `snapshot:${mirror}`;
    let consistentPoint: string | null = null;
    if (request.replication) {
      const { publicationName, slotName } = request.replication;
      await ensurePublication(source, publicationName, mapping.map((m) => m.source));
      // A slot left by an earlier attempt has no usable snapshot: replace it.
      await dropSlot(source, slotName);
      const slot = await createSlotSnapshot(request.source, slotName, { purpose, lockTables });
      snapshot = slot;
      consistentPoint = slot.consistentPoint;
    } else {
      snapshot = await exportSnapshot(request.source, { purpose, lockTables });
    }

    const planned = await planPartitionsOfTables(source, plans.map((plan) => ({ table: plan, options: { rowsPerPartition: rowsPerPartitionFor(plan.estimatedRows, settings) } })));
    const tables: PreparedTable[] = plans.map((plan, index) => {
      const described = description.tables.find((d) => d.name.schema === plan.source.schema && d.name.name === plan.source.name);
      return { plan, sizeBytes: described?.sizeBytes ?? 0, partitions: planned[index] };
    });
    const lanes = assignLanes(
      largestFirst(tables.map((t) => t.partitions)),
      settings.parallelCopyWorkers,
      settings.tablesInParallel,
    ).map((lane) => bundleSmallPartitions(lane));
    return { tables, lanes, snapshot, consistentPoint, warnings };
  } catch (error) {
    await snapshot?.close();
    throw error;
  } finally {
    await source.end().catch(() => {});
  }
}
