import { formatQualifiedName, type QualifiedName, type TableMapping } from "@/lib/mirrors/table-mapping";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { describeTables } from "@/lib/pg/describe";
import { createSlotSnapshot, type ExportedSnapshot, exportSnapshot, type SlotSnapshot } from "@/lib/pg/snapshot";
import { dropSlot } from "@/lib/pg/snapshot-cleanup";
import { ensurePublication } from "@/lib/pg/snapshot-publication";
import { clearMirrorBookkeeping, listDonePartitions } from "@/lib/mirrors/target-bookkeeping";
import { type CopyFormat, type CopyProgress, copyPartition } from "./partition-copy";
import { type Partition, planPartitions } from "./partitions";
import { buildTablePlans, type TableLoadPlan } from "@/lib/mirrors/table-plan";
import { ensurePrimaryKeys, ensureTargetTablesFor, truncateTargetTables } from "./target-ddl";

/** Default: 4 partitions copied at the same time. */
export const DEFAULT_PARALLELISM = 4;

export interface RunLocalOptions {
  source: PeerConnection;
  target: PeerConnection;
  mapping: TableMapping[];
  /** "cdc" creates publication + slot and reads the slot's snapshot; "initial_load_only" creates nothing on the source. */
  mode: "cdc" | "initial_load_only";
  mirrorName: string;
  /** Default: DEFAULT_ROWS_PER_PARTITION. */
  rowsPerPartition?: number;
  /** Default: DEFAULT_PARALLELISM. */
  parallelism?: number;
  /** Default: "binary"; a table whose binary copy fails with a type incompatibility continues in text. */
  format?: CopyFormat;
  /** CDC mode. Default: slotNameFor(mirrorName). */
  slotName?: string;
  /** CDC mode. Default: slotNameFor(mirrorName). */
  publicationName?: string;
  /**
   * Hold a shared lock on the source tables for the whole load, so TRUNCATE and table rewrites
   * wait until it ends instead of forcing a restart (TableRewrittenError). Off by default: on a
   * busy production source a DDL statement waiting for that lock blocks every later query on the
   * table. Default: false.
   */
  lockSourceTables?: boolean;
  /** Build primary keys after the copy instead of before (faster). Default: true. */
  deferPrimaryKey?: boolean;
  onProgress?: (partition: Partition, progress: CopyProgress) => void;
  /** Called once the snapshot exists, before any row is copied (tests use it to change the source). */
  afterSnapshot?: (snapshot: ExportedSnapshot) => Promise<void>;
  signal?: AbortSignal;
}

export interface TableResult {
  source: QualifiedName;
  target: QualifiedName;
  partitions: number;
  rows: number;
  bytes: number;
  /** "text" when at least one partition fell back to (or was asked for) text format. */
  format: CopyFormat;
}

export interface RunLocalResult {
  snapshotName: string;
  /** CDC mode: LSN where the slot's change stream continues after the snapshot. */
  consistentPoint: string | null;
  slotName: string | null;
  publicationName: string | null;
  tables: TableResult[];
  warnings: string[];
  durationMs: number;
}

/** A valid slot/publication name derived from a mirror name: `pgferry_<mirror>`. */
export function slotNameFor(mirror: string): string {
  return `pgferry_${mirror.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`.slice(0, 63);
}

/**
 * Runs a whole initial load in this process: describe -> target DDL -> snapshot -> plan -> copy
 * every partition with bounded parallelism -> primary keys (deferred by default). Used by tests and benchmarks; the worker runs the same
 * pieces as distributed jobs.
 *
 * The snapshot is taken after the DDL so a target that fails the checks leaves no slot behind.
 * Restart: when the mirror's bookkeeping shows partitions of an earlier attempt, that attempt's
 * snapshot is gone, so its target tables are truncated and its bookkeeping cleared first; in CDC
 * mode an existing slot of the same name is dropped and created anew. On failure the first error
 * is thrown after the other copies stop; in CDC mode the slot stays (the caller drops it or reruns).
 */
export async function runLocalInitialLoad(options: RunLocalOptions): Promise<RunLocalResult> {
  const started = Date.now();
  const { mirrorName: mirror, mapping } = options;
  const source = await connectPeer(options.source, `load:${mirror}`);
  const target = await connectPeer(options.target, `load:${mirror}`);
  let snapshot: ExportedSnapshot | SlotSnapshot | null = null;
  try {
    const description = await describeTables(source, mapping.map((m) => m.source));
    const plans = buildTablePlans(description, mapping);
    if ((await listDonePartitions(target, mirror)).length > 0) {
      await truncateTargetTables(target, mapping);
      await clearMirrorBookkeeping(target, mirror);
    }
    const deferPrimaryKey = options.deferPrimaryKey ?? true;
    const { warnings } = await ensureTargetTablesFor(target, description, plans, { deferPrimaryKey });

    const lockTables = options.lockSourceTables ? mapping.map((m) => m.source) : [];
    let slotName: string | null = null;
    let publicationName: string | null = null;
    if (options.mode === "cdc") {
      slotName = options.slotName ?? slotNameFor(mirror);
      publicationName = options.publicationName ?? slotNameFor(mirror);
      await ensurePublication(source, publicationName, mapping.map((m) => m.source));
      await dropSlot(source, slotName);
      snapshot = await createSlotSnapshot(options.source, slotName, { purpose: `snapshot:${mirror}`, lockTables });
    } else {
      snapshot = await exportSnapshot(options.source, { purpose: `snapshot:${mirror}`, lockTables });
    }
    await options.afterSnapshot?.(snapshot);

    const work: { plan: TableLoadPlan; partition: Partition }[] = [];
    for (const plan of plans) {
      const partitions = await planPartitions(source, plan, { rowsPerPartition: options.rowsPerPartition });
      for (const partition of partitions) work.push({ plan, partition });
    }
    const tables = await copyAll(options, snapshot.snapshotName, plans, work);
    if (deferPrimaryKey) await ensurePrimaryKeys(target, plans);
    return {
      snapshotName: snapshot.snapshotName,
      consistentPoint: "consistentPoint" in snapshot ? snapshot.consistentPoint : null,
      slotName,
      publicationName,
      tables,
      warnings,
      durationMs: Date.now() - started,
    };
  } finally {
    await snapshot?.close();
    await Promise.all([source.end().catch(() => {}), target.end().catch(() => {})]);
  }
}

async function copyAll(
  options: RunLocalOptions,
  snapshotName: string,
  plans: TableLoadPlan[],
  work: { plan: TableLoadPlan; partition: Partition }[],
): Promise<TableResult[]> {
  const results = new Map<TableLoadPlan, TableResult>(
    plans.map((plan) => [
      plan,
      { source: plan.source, target: plan.target, partitions: 0, rows: 0, bytes: 0, format: options.format ?? "binary" },
    ]),
  );
  // Largest partitions first, so the slowest copies start early and the tail stays short.
  const queue = [...work].sort((a, b) => b.partition.estimatedRows - a.partition.estimatedRows);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let failure: unknown = null;

  const worker = async () => {
    for (let item = queue.shift(); item && !signal.aborted; item = queue.shift()) {
      const result = results.get(item.plan)!;
      try {
        const copied = await copyPartition({
          mirror: options.mirrorName,
          source: options.source,
          target: options.target,
          snapshotName,
          table: item.plan,
          partition: item.partition,
          format: result.format,
          onProgress: options.onProgress && ((p) => options.onProgress!(item!.partition, p)),
          signal,
        });
        result.partitions++;
        result.rows += copied.rows;
        result.bytes += copied.bytes;
        // Once binary proved incompatible for a table, its other partitions go straight to text.
        result.format = copied.format;
      } catch (error) {
        if (failure === null) {
          failure = signal.aborted && !stop.signal.aborted ? error : wrap(error, item.partition);
          stop.abort(failure);
        }
      }
    }
  };
  const parallelism = Math.max(1, options.parallelism ?? DEFAULT_PARALLELISM);
  await Promise.all(Array.from({ length: Math.min(parallelism, queue.length) }, worker));
  if (failure !== null) throw failure;
  options.signal?.throwIfAborted();
  return plans.map((plan) => results.get(plan)!);
}

function wrap(error: unknown, partition: Partition): unknown {
  if (!(error instanceof Error)) return error;
  const where = `${formatQualifiedName(partition.sourceRelation)} partition #${partition.index}`;
  error.message = `${where}: ${error.message}`;
  return error;
}
