import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import type { PeerConnection } from "@/lib/pg/connection";

/**
 * Words used in workers/verify:
 * - chunk: a key range (lo, hi] of a table with a primary key, at most `chunkRows` source rows; its
 *   rows' hashes are summed on each server, so only two numbers cross the network per chunk.
 * - drill-down: fetching (key, row hash) pairs of one chunk from both sides to name the differing rows.
 * - bucket: for a table without a key, the rows whose hash shares a prefix; compared as multisets.
 * - live: a CDC mirror that is streaming; a difference counts only if it survives re-reading after the
 *   target applied past the source position of the read (see recheck in keyed.ts / multiset.ts).
 */

/** One mirrored table to compare: names on each side, the columns that exist on both, the key. */
export interface VerifyTableSpec {
  source: QualifiedName;
  target: QualifiedName;
  /** Compared columns, the same names on both sides: source columns minus excluded ones, generated included. */
  columns: string[];
  /** Primary key columns in key order; empty: the table is compared as a multiset of row hashes. */
  key: string[];
  /** Rows the source's statistics expect; sizes buckets and the progress estimate. */
  estimatedRows: number;
}

export type DifferenceKind = "missing" | "extra" | "changed";

/** A differing row: its key (text form of each key column; every column for a table without a key). */
export interface DifferenceExample {
  kind: DifferenceKind;
  key: Record<string, string | null>;
}

export interface VerifyProgress {
  chunksDone: number;
  /** An estimate while running (from the statistics), exact at the end. */
  chunksTotal: number;
  sourceRows: number;
  targetRows: number;
  differences: number;
}

export interface VerifyTableResult extends VerifyProgress {
  /** At most `maxExamples`, in the order found. */
  examples: DifferenceExample[];
}

export interface VerifyTableOptions {
  source: PeerConnection;
  target: PeerConnection;
  table: VerifyTableSpec;
  /**
   * Set for a CDC mirror that is streaming: the name under which the target stores its applied
   * position (`_pgferry.cdc_progress.mirror`). Differences are then re-checked after the target
   * caught up. Null for a copy-only, paused or completed mirror: one read per side decides.
   */
  liveMirror: string | null;
  signal: AbortSignal;
  onProgress?: (progress: VerifyProgress) => void;
  /** Source rows per chunk; also the most rows fetched per side for a drill-down. Default: DEFAULT_CHUNK_ROWS. */
  chunkRows?: number;
  /** Examples kept per table. Default: 100. */
  maxExamples?: number;
  /** Reads per differing chunk on a live mirror before a difference counts. Default: 4. */
  liveAttempts?: number;
  /** Longest wait for the target to apply past a source position. Default: 5 minutes. */
  catchUpTimeoutMs?: number;
}

/**
 * Default: 10,000 rows per chunk. Small enough that one chunk's hash statement stays far below any
 * sensible statement_timeout and a drill-down holds at most ~2 MB per side; large enough that the
 * per-chunk round trips do not dominate.
 */
export const DEFAULT_CHUNK_ROWS = 10_000;
export const DEFAULT_MAX_EXAMPLES = 100;
export const DEFAULT_LIVE_ATTEMPTS = 4;
export const DEFAULT_CATCH_UP_TIMEOUT_MS = 5 * 60_000;
