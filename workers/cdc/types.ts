import type { QualifiedName, TableMapping } from "@/lib/mirrors/table-mapping";
import type { Lsn } from "@/lib/pg/lsn";
import type { PeerConnection } from "@/lib/pg/connection";
import type { ClassifiedError } from "@/lib/errors/classify";

/** Default: 5,000 rows. See CdcOptions.maxBatchRows. */
export const DEFAULT_MAX_BATCH_ROWS = 5_000;
/** Default: 500 ms. See CdcOptions.maxBatchLatencyMs. */
export const DEFAULT_MAX_BATCH_LATENCY_MS = 500;
/** Default: 10 s. See CdcOptions.idleAckIntervalMs. */
export const DEFAULT_IDLE_ACK_INTERVAL_MS = 10_000;
/** Default: 10 s. See CdcOptions.statusIntervalMs. */
export const DEFAULT_STATUS_INTERVAL_MS = 10_000;

export interface CdcOptions {
  /** Mirror name: names the progress row on the target and the connections ("pgferry:cdc:<mirror>"). */
  mirror: string;
  source: PeerConnection;
  target: PeerConnection;
  /** An existing logical replication slot (plugin pgoutput) on the source. */
  slotName: string;
  /** An existing publication on the source that contains the mirror's tables. */
  publicationName: string;
  /** The tables to apply; changes to other published tables are ignored (with a warning). */
  tables: TableMapping[];
  /**
   * Published tables whose changes are ignored without a warning: tables of the mirror being copied on
   * their own (workers/mirrors/table-sync/*), whose changes another stream applies meanwhile.
   */
  ignoredTables?: QualifiedName[];
  /**
   * Applies only source transactions below a position that someone else moves (see ApplyCeiling). Such
   * a stream must not apply transactions while they stream in: `streaming` is turned off with it.
   */
  ceiling?: ApplyCeiling;
  /**
   * The position the target is consistent with when CDC starts for the first time: the slot's
   * consistent point after an initial load (LSN text or bigint). The position stored on the target
   * wins when it is later (CDC ran before); this one wins when it is later (the target was loaded
   * again). Without either, CDC starts at the slot's confirmed position.
   */
  startLsn?: string | bigint;
  /** Stops the stream: the current batch is committed if it ends on a source commit, and runCdc resolves. */
  signal: AbortSignal;
  /**
   * A target transaction is committed at a source commit once it holds this many row changes;
   * also the maximum rows per multi-row statement. A single larger source transaction is applied
   * in statements of this size inside one target transaction. Default: DEFAULT_MAX_BATCH_ROWS (5,000).
   */
  maxBatchRows?: number;
  /**
   * Longest time changes wait in an open target transaction while the stream keeps delivering.
   * When the stream has nothing more queued, the batch is committed at once. Default: 500 ms.
   */
  maxBatchLatencyMs?: number;
  /**
   * When everything received is applied, the latest keepalive position is stored on the target
   * and confirmed to the slot at most this often, so an idle slot does not hold back WAL while
   * other tables or databases write. Default: 10 s.
   */
  idleAckIntervalMs?: number;
  /**
   * Ask a PostgreSQL 14+ source to stream transactions larger than its logical_decoding_work_mem
   * while they run (pgoutput protocol 2); they wait in a local spool file and are applied at their
   * commit, which then costs the source nothing more. Default: true.
   */
  streaming?: boolean;
  /** How often the committed position is reported to the source while busy. Default: 10 s. */
  statusIntervalMs?: number;
  /** First retry delay after a transient error, doubled per attempt. Default: 1 s. */
  retryInitialDelayMs?: number;
  /** Longest retry delay. Default: 30 s. */
  retryMaxDelayMs?: number;
  /**
   * Called after each committed target transaction, in commit order, one call at a time (the next
   * waits for the previous one's promise). Replication does not wait for it; errors are reported
   * as events.
   */
  onBatch?: (batch: AppliedBatch) => void | Promise<void>;
  /** Called for things a person may want to see (schema changes applied, warnings, retries). Not awaited. */
  onEvent?: (event: CdcEvent) => void | Promise<void>;
}

/**
 * The upper bound of a stream that follows another one (a table copied on its own, catching up with
 * the mirror's main stream): a source transaction is applied only when its commit LSN is below the
 * bound. The bound moves up as the main stream applies, and finally stops moving; the stream is then
 * finished once it has applied everything below it.
 */
export interface ApplyCeiling {
  /**
   * Resolves true once a transaction committing at `commitLsn` may be applied, false when it never
   * will be (the bound is final and at or below it): the stream then applies nothing more.
   */
  admit(commitLsn: Lsn): Promise<boolean>;
  /** Everything below `lsn` was received and applied (committed on the target). */
  passed(lsn: Lsn): void;
}

export interface CdcEvent {
  level: "info" | "warn" | "error";
  message: string;
  detail?: Record<string, unknown>;
}

/** One source table's share of an applied batch. */
export interface TableCounts {
  /** Source table, "schema.table". */
  table: string;
  /** Target table, quoted. */
  target: string;
  inserts: number;
  updates: number;
  deletes: number;
  truncates: number;
}

/**
 * One committed target transaction: what the applier reports once the target answered its COMMIT,
 * and what onBatch receives for the catalog's batch history.
 */
export interface AppliedBatch {
  /** Row changes (inserts + updates + deletes). */
  rows: number;
  inserts: number;
  updates: number;
  deletes: number;
  truncates: number;
  /** Source transactions applied in this batch. */
  transactions: number;
  /** Per source table. */
  tables: TableCounts[];
  /** Commit LSN of the first source transaction in the batch (null for a batch without row changes). */
  firstLsn: string | null;
  /** Position stored with the batch (end of its last source commit). */
  lastLsn: string;
  /** Source commit time of the last transaction in the batch. */
  commitTime: Date | null;
  /** From the first change of the batch to the target's COMMIT. */
  durationMs: number;
  /** UPDATE/DELETE rows not found on the target (0 unless the target diverged). */
  missingRows: number;
}

/** Replication lag as seen by a running stream. */
export interface CdcLag {
  /** Source's current WAL position (pg_current_wal_lsn()). */
  sourceLsn: string;
  /** Last position received from the source. */
  receivedLsn: string | null;
  /** Position stored on the target (committed). */
  appliedLsn: string | null;
  /** WAL bytes between the source's position and what is applied (includes WAL of unrelated tables). */
  lagBytes: number;
  /**
   * Seconds behind: now minus the source commit time of the oldest received transaction whose
   * changes are not yet committed on the target; 0 when everything received is applied. (WAL the
   * source has not sent yet is counted in lagBytes only.)
   */
  lagSeconds: number;
  lastAppliedCommitTime: Date | null;
}

/** What runCdc rejects with: a classified, user-facing cause and fix. */
export class CdcFatalError extends Error {
  constructor(readonly classified: ClassifiedError) {
    super(classified.fix ? `${classified.message} — Fix: ${classified.fix}` : classified.message);
    this.name = "CdcFatalError";
  }
}
