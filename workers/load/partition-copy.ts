import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { formatQualifiedName, type QualifiedName } from "@/lib/mirrors/table-mapping";
import type { PeerConnection } from "@/lib/pg/connection";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";
import { beginInSnapshot, lockUnchangedSinceSnapshot } from "@/lib/pg/snapshot";
import { beginClaimed, BOOKKEEPING_TABLE, completeAndCommit, ensureBookkeeping } from "@/lib/mirrors/target-bookkeeping";
import { partitionKey } from "@/lib/mirrors/target-bookkeeping";
import { type Partition, partitionSelect } from "./partitions";
import { CopyConnections } from "./copy-connections";
import { RawCopyIn, RawCopyOut } from "./raw-copy-streams";

/** COPY format; binary is fastest, text the portable fallback. */
export type CopyFormat = "binary" | "text";

/** Default: a partition copy waits up to 60 s for its shared lock on the source table. */
export const SOURCE_LOCK_TIMEOUT_MS = 60_000;

/** Default: progress reported every second (the UI promises at least every 2 s). */
export const DEFAULT_PROGRESS_INTERVAL_MS = 1000;

export interface CopyProgress {
  /** COPY bytes streamed so far. */
  bytes: number;
  /** Rows streamed so far (counted from the protocol messages); at `done`, the target's row count. */
  rows: number;
  done: boolean;
}

export interface CopyPartitionOptions {
  /** Mirror name: the bookkeeping key together with the partition. */
  mirror: string;
  source: PeerConnection;
  target: PeerConnection;
  /** Exported snapshot every partition of the load reads. */
  snapshotName: string;
  /** Target table and the columns copied (same names on both sides, see TableLoadPlan). */
  table: { target: QualifiedName; copyColumns: string[] };
  partition: Partition;
  /** Default: "binary" (fastest). */
  format?: CopyFormat;
  /** Retry the partition in text format when binary COPY hits a type incompatibility. Default: true. */
  textFallback?: boolean;
  onProgress?: (progress: CopyProgress) => void;
  /** Default: DEFAULT_PROGRESS_INTERVAL_MS. */
  progressIntervalMs?: number;
  /** Default: SOURCE_LOCK_TIMEOUT_MS. */
  sourceLockTimeoutMs?: number;
  /** Aborting rolls the partition's target transaction back; the promise rejects with the reason. */
  signal?: AbortSignal;
  /**
   * Connections shared with the other partitions of a copy job (kept after a success, discarded
   * after a failure; the caller closes them). Default: the partition opens and closes its own.
   */
  connections?: CopyConnections;
}

export interface CopyPartitionResult {
  /** True when the partition was already recorded as done; nothing was copied. */
  skipped: boolean;
  rows: number;
  bytes: number;
  /** Format that did the copy (text after an automatic fallback). */
  format: CopyFormat;
  durationMs: number;
}

/**
 * Copies one partition from the exported snapshot into the target table, in ONE target
 * transaction that also records the partition as done in `_pgferry.load_partitions` — so a
 * partition is applied exactly once, however often it is retried, and an interrupted attempt
 * leaves nothing. Data flows source COPY TO -> target COPY FROM as whole protocol messages (no
 * decoding, see raw-copy-streams.ts), with stream backpressure bounding memory.
 *
 * Opens and closes its own source and target connections, or uses `connections`. Throws: a SnapshotGoneError (see
 * isSnapshotGoneError) when the snapshot can no longer be imported — the load must restart;
 * the abort reason when `signal` fires; PostgreSQL errors otherwise (e.g. a target constraint).
 */
export async function copyPartition(options: CopyPartitionOptions): Promise<CopyPartitionResult> {
  const format = options.format ?? "binary";
  try {
    return await attempt(options, format);
  } catch (error) {
    const fallback = format === "binary" && options.textFallback !== false && !options.signal?.aborted;
    if (fallback && isBinaryIncompatibility(error)) return attempt(options, "text");
    throw error;
  }
}

/**
 * SQLSTATEs with which a binary COPY fails when the two servers disagree on a type's binary form
 * (e.g. after a change between major versions): the receive function finds too few or too many
 * bytes (08P01, 22P03), rejects an embedded type OID (42804), or the type has no binary I/O
 * (42883). Text format only needs both servers to agree on the printed form, so it is the fallback.
 */
const BINARY_INCOMPATIBLE = new Set(["42804", "22P03", "08P01", "42883"]);

export function isBinaryIncompatibility(error: unknown): boolean {
  return BINARY_INCOMPATIBLE.has((error as { code?: string })?.code ?? "");
}

/**
 * Session settings for both ends, so that text-format values are printed and parsed the same way
 * whatever the servers' defaults (dates, intervals, floats, bytea), and the load is never cut
 * off by a server-side timeout.
 */
const COMMON_SETTINGS = [
  "SET DateStyle = 'ISO, MDY'",
  "SET IntervalStyle = 'postgres'",
  "SET TimeZone = 'UTC'",
  "SET statement_timeout = 0",
  "SET idle_in_transaction_session_timeout = 0",
  // Bookkeeping values are sent as literals (beginClaimed): a backslash must stay a backslash.
  "SET standard_conforming_strings = on",
];
const SOURCE_SETTINGS = [...COMMON_SETTINGS, "SET extra_float_digits = 3", "SET bytea_output = 'hex'"].join("; ");
/**
 * synchronous_commit = off is safe here: data and its bookkeeping row commit together, so a target
 * crash loses both and the partition is simply copied again.
 */
const TARGET_SETTINGS = [...COMMON_SETTINGS, "SET synchronous_commit = off"].join("; ");

async function attempt(options: CopyPartitionOptions, format: CopyFormat): Promise<CopyPartitionResult> {
  const { mirror, partition, table, signal } = options;
  signal?.throwIfAborted();
  const started = Date.now();
  const key = partitionKey(partition);
  const purpose = `copy:${formatQualifiedName(partition.sourceRelation)}#${partition.index}`;
  const connections = options.connections ?? new CopyConnections();
  const abort = () => void connections.discard();
  signal?.addEventListener("abort", abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let succeeded = false;
  try {
    const target = await connections.targetClient(options.target, purpose, async (client) => {
      await ensureBookkeeping(client);
      await client.query(TARGET_SETTINGS);
    });
    signal?.throwIfAborted();
    // With the claim, take the target table's write lock before joining the snapshot. A load restart
    // truncates the target after closing the old snapshot: the TRUNCATE either waits for this copy (and
    // then removes its rows) or comes first (and then joining the old snapshot fails). No old row lands after it.
    const lock = `LOCK TABLE ${quoteQualified(table.target.schema, table.target.name)} IN ROW EXCLUSIVE MODE`;
    if (!(await beginClaimed(target, mirror, key, lock))) {
      await target.query("ROLLBACK");
      succeeded = true;
      return { skipped: true, rows: await recordedRows(target, mirror, key), bytes: 0, format, durationMs: Date.now() - started };
    }

    // A DDL statement queued for an exclusive lock on the table makes our shared lock request wait
    // behind it: give up after a while instead of hanging, so the copy can be retried later.
    const source = await connections.sourceClient(options.source, purpose, (client) =>
      client.query(`${SOURCE_SETTINGS}; SET lock_timeout = ${lockTimeoutMs(options)}`).then(() => {}),
    );
    await beginInSnapshot(source, options.snapshotName);
    await lockUnchangedSinceSnapshot(source, partition.sourceRelation, options.snapshotName);
    signal?.throwIfAborted();

    const columns = table.copyColumns.map(quoteIdent).join(", ");
    const reader = new RawCopyOut(`COPY (${partitionSelect(partition, table.copyColumns)}) TO STDOUT (FORMAT ${format})`, format === "binary");
    const writer = new RawCopyIn(`COPY ${quoteQualified(table.target.schema, table.target.name)} (${columns}) FROM STDIN (FORMAT ${format})`);
    const report = (done: boolean, rows = reader.rows) => options.onProgress?.({ bytes: reader.bytes, rows, done });
    timer = setInterval(() => report(false), options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
    source.query(reader);
    target.query(writer);
    await untilAborted(pipeline(reader, writer), signal);

    const rows = writer.rowCount;
    signal?.throwIfAborted();
    await completeAndCommit(target, mirror, key, rows);
    await source.query("COMMIT");
    report(true, rows);
    succeeded = true;
    return { skipped: false, rows, bytes: reader.bytes, format, durationMs: Date.now() - started };
  } catch (error) {
    // After an abort, whatever failed failed because we closed its connection.
    if (signal?.aborted) throw signal.reason;
    if ((error as { code?: string }).code === "55P03") throw lockTimeoutError(partition, lockTimeoutMs(options), error);
    throw error;
  } finally {
    clearInterval(timer);
    signal?.removeEventListener("abort", abort);
    // Kept only after a success (both ends idle) and only when shared; the owner closes them.
    if (!succeeded || !options.connections) await connections.discard();
  }
}

/** Rejects with the abort reason as soon as `signal` fires, without waiting for `work` to unwind. */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function lockTimeoutMs(options: CopyPartitionOptions): number {
  return Math.max(1, Math.round(options.sourceLockTimeoutMs ?? SOURCE_LOCK_TIMEOUT_MS));
}

/** 55P03 on the source, said plainly; keeps the code so callers can retry it later. */
function lockTimeoutError(partition: Partition, timeoutMs: number, cause: unknown): Error {
  const table = formatQualifiedName(partition.sourceRelation);
  const message = `could not get a shared lock on source table ${table} within ${timeoutMs / 1000} s: another session holds or waits for an exclusive lock on it (e.g. ALTER TABLE, TRUNCATE, VACUUM FULL); retry once that statement is done`;
  return Object.assign(new Error(message, { cause }), { code: "55P03" });
}

async function recordedRows(target: pg.Client, mirror: string, key: string): Promise<number> {
  const { rows } = await target.query<{ rows: string }>(
    `SELECT rows FROM ${BOOKKEEPING_TABLE} WHERE mirror = $1 AND partition_key = $2`,
    [mirror, key],
  );
  return Number(rows[0]?.rows ?? 0);
}
