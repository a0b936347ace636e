import { type MirrorSettingsInput, resolveSettings } from "@/lib/mirrors/settings";
import type { MirrorMode } from "@/lib/mirrors/status";
import type { QualifiedName, TableMapping } from "@/lib/mirrors/table-mapping";
import type { PeerConnection } from "@/lib/pg/connection";
import type { ExportedSnapshot } from "@/lib/pg/snapshot";
import { sleep } from "@/lib/sleep";
import { type CopyFailure, type CopyLedger, copyBundle } from "./copy-bundle";
import { finishLoad } from "./finish-load";
import type { CopyFormat, CopyProgress } from "./partition-copy";
import type { Partition } from "./partitions";
import { prepareLoad, type PreparedTable } from "./prepare-load";

/** Wait before retrying a bundle after a transient error, times the attempt. Default: 1 s. */
const RETRY_DELAY_MS = 1_000;

export interface InProcessLoadOptions {
  /** Mirror name: the bookkeeping key on the target, and where the default slot and publication names come from. */
  mirror: string;
  source: PeerConnection;
  target: PeerConnection;
  mapping: TableMapping[];
  /** "cdc" creates publication + slot and reads the slot's snapshot; "initial_load_only" creates nothing on the source. */
  mode: MirrorMode;
  /** A mirror's settings as the create form takes them; defaults and names are resolved as for a mirror (resolveSettings). */
  settings?: MirrorSettingsInput;
  /** Default: "binary"; a partition whose binary copy fails with a type incompatibility continues in text. */
  format?: CopyFormat;
  /** See LoadRequest.lockSourceTables. Default: false. */
  lockSourceTables?: boolean;
  /** See LoadRequest.preData and startOver. */
  preData?: boolean;
  startOver?: boolean;
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

export interface InProcessLoadResult {
  snapshotName: string;
  /** CDC mode: LSN where the slot's change stream continues after the snapshot. */
  consistentPoint: string | null;
  slotName: string | null;
  publicationName: string | null;
  tables: TableResult[];
  warnings: string[];
  durationMs: number;
}

/**
 * Runs a whole initial load in this process, for tests and benchmarks: the plan the worker queues
 * (prepareLoad), its lanes run side by side and their bundles through copyBundle — the copy job's
 * own code — with a ledger in memory instead of the catalog; then finishLoad builds the primary keys.
 *
 * On failure the first partition that failed for good is thrown (its original error) once the
 * other lanes have stopped; in CDC mode the slot stays (the caller drops it or reruns, which replaces it).
 */
export async function runLoadInProcess(options: InProcessLoadOptions): Promise<InProcessLoadResult> {
  const started = Date.now();
  const settings = resolveSettings(options.mirror, options.settings);
  const replication = options.mode === "cdc" ? { publicationName: settings.publicationName, slotName: settings.slotName } : null;
  const prepared = await prepareLoad({
    mirror: options.mirror,
    source: options.source,
    target: options.target,
    mapping: options.mapping,
    replication,
    settings,
    lockSourceTables: options.lockSourceTables,
    preData: options.preData,
    startOver: options.startOver,
  });
  try {
    await options.afterSnapshot?.(prepared.snapshot);
    const ledger = new MemoryLedger(options, prepared.snapshot.snapshotName, prepared.tables);
    await runLanes(prepared.lanes, ledger, options.signal);
    await finishLoad(
      options.target,
      prepared.tables.map((t) => t.plan),
      options.mirror,
      { buildMemoryMb: settings.indexBuildMemoryMb },
    );
    return {
      snapshotName: prepared.snapshot.snapshotName,
      consistentPoint: prepared.consistentPoint,
      slotName: replication?.slotName ?? null,
      publicationName: replication?.publicationName ?? null,
      tables: ledger.results(),
      warnings: prepared.warnings,
      durationMs: Date.now() - started,
    };
  } finally {
    await prepared.snapshot.close();
  }
}

/** Each lane copies its bundles in order, as its graphile queue would; a bundle is retried after a transient error. */
async function runLanes(lanes: Partition[][][], ledger: MemoryLedger, outer: AbortSignal | undefined): Promise<void> {
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  const runLane = async (bundles: Partition[][]) => {
    for (const bundle of bundles) {
      for (let attempt = 1; !signal.aborted; attempt++) {
        try {
          if ((await copyBundle(bundle, ledger, { signal })) === "failed") stop.abort();
          break;
        } catch {
          // The partition was handed back (copyBundle counts its attempts); or we are stopping.
          await sleep(RETRY_DELAY_MS * attempt, signal);
        }
      }
    }
  };
  await Promise.all(lanes.map(runLane));
  if (ledger.failure) throw ledger.failure.error;
  outer?.throwIfAborted();
}

interface TableState {
  table: PreparedTable;
  result: TableResult;
}

/** The copies' record in memory: which partitions are done, and what each table copied. */
class MemoryLedger implements CopyLedger<Partition> {
  failure: CopyFailure | null = null;
  private readonly attempts = new Map<Partition, number>();
  private readonly copied = new Set<Partition>();
  private readonly byPartition = new Map<Partition, TableState>();
  private readonly states: TableState[];

  constructor(
    private readonly options: InProcessLoadOptions,
    private readonly snapshotName: string,
    tables: PreparedTable[],
  ) {
    const format = options.format ?? "binary";
    this.states = tables.map((table) => ({
      table,
      result: { source: table.plan.source, target: table.plan.target, partitions: 0, rows: 0, bytes: 0, format },
    }));
    for (const state of this.states) for (const partition of state.table.partitions) this.byPartition.set(partition, state);
  }

  results(): TableResult[] {
    return this.states.map((s) => s.result);
  }

  async claim(partition: Partition) {
    if (this.copied.has(partition) || this.failure) return null;
    const attempt = (this.attempts.get(partition) ?? 0) + 1;
    this.attempts.set(partition, attempt);
    const { plan } = this.stateOf(partition).table;
    const { mirror, source, target, format } = this.options;
    return { attempt, copy: { mirror, source, target, snapshotName: this.snapshotName, table: plan, partition, format } };
  }

  progress(partition: Partition, progress: CopyProgress): void {
    this.options.onProgress?.(partition, progress);
  }

  async done(partition: Partition, copy: { rows: number; bytes: number; format: CopyFormat }): Promise<void> {
    this.copied.add(partition);
    const { result } = this.stateOf(partition);
    result.partitions++;
    result.rows += copy.rows;
    result.bytes += copy.bytes;
    if (copy.format === "text") result.format = "text";
  }

  async release(): Promise<void> {}

  async fail(_partition: Partition, failure: CopyFailure): Promise<void> {
    this.failure ??= failure;
  }

  private stateOf(partition: Partition): TableState {
    return this.byPartition.get(partition) as TableState;
  }
}
