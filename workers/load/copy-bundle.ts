import { classifyError } from "@/lib/errors/classify";
import { isSnapshotGoneError, SnapshotGoneError } from "@/lib/errors/snapshot-gone";
import type { Logger } from "@/lib/log/logger";
import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import { CopyConnections } from "./copy-connections";
import { type CopyPartitionOptions, type CopyPartitionResult, type CopyProgress, copyPartition } from "./partition-copy";

/** Copy attempts of one partition before it fails the load. Default: 5. */
export const COPY_MAX_ATTEMPTS = 5;

/** The failure code of a partition whose snapshot is gone: the load restarts from a new snapshot. */
export const SNAPSHOT_GONE = "snapshot_gone";

/** Everything one partition copy needs, resolved (peers, snapshot, plan). */
export type PartitionCopy = Omit<CopyPartitionOptions, "onProgress" | "signal">;

/** Why a partition failed for good: `code` is SNAPSHOT_GONE or the classifier's code (a SQLSTATE, …). */
export interface CopyFailure {
  code: string;
  /** In plain words, with the fix when one is known; for SNAPSHOT_GONE, why the snapshot is gone. */
  message: string;
  /** The error itself, for callers in the same process. */
  error: unknown;
}

/**
 * Where a load's copies are recorded: the catalog for a queued copy job (workers/jobs/copy-partition.ts),
 * memory for a load run in-process (in-process-load.ts). Both run the copies through copyBundle.
 */
export interface CopyLedger<Id> {
  /** Marks the partition as being copied (one more attempt) and resolves it; null when there is nothing to do (stale, already done). */
  claim(id: Id): Promise<{ copy: PartitionCopy; attempt: number } | null>;
  progress(id: Id, progress: CopyProgress): void;
  done(id: Id, result: CopyPartitionResult): Promise<void>;
  /** Hands the partition back for a later attempt; `error` says why the last one failed, if it did. */
  release(id: Id, error: string | null): Promise<void>;
  fail(id: Id, failure: CopyFailure): Promise<void>;
}

/**
 * Copies a bundle of partitions one after the other (one copy job: see bundleSmallPartitions).
 * Returns "failed" at the first partition that failed for good — that fails or restarts the whole
 * load, so the rest is left. Throws after a transient error (the partition was handed back) or an
 * abort: the caller retries the bundle later, and its done partitions are then skipped (claim).
 * The partitions share one source and one target connection (copy-connections.ts).
 */
export interface CopyBundleOptions {
  signal: AbortSignal;
  logger?: Logger;
  /** Copies one partition. Default: copyPartition (unit tests pass a fake). */
  copy?: typeof copyPartition;
}

export async function copyBundle<Id>(ids: readonly Id[], ledger: CopyLedger<Id>, options: CopyBundleOptions): Promise<"done" | "failed"> {
  const connections = new CopyConnections();
  try {
    for (const id of ids) {
      if ((await copyOne(id, ledger, options, connections)) === "failed") return "failed";
    }
    return "done";
  } finally {
    await connections.close();
  }
}

async function copyOne<Id>(
  id: Id,
  ledger: CopyLedger<Id>,
  { signal, logger, copy = copyPartition }: CopyBundleOptions,
  connections: CopyConnections,
): Promise<"done" | "skipped" | "failed"> {
  const claimed = await ledger.claim(id);
  if (!claimed) return "skipped";
  try {
    const result = await copy({ ...claimed.copy, signal, connections, onProgress: (progress) => ledger.progress(id, progress) });
    await ledger.done(id, result);
    return "done";
  } catch (error) {
    if (isSnapshotGoneError(error)) {
      await ledger.fail(id, { code: SNAPSHOT_GONE, message: snapshotGoneReason(error), error });
      return "failed";
    }
    if (signal.aborted) {
      // The worker is stopping (or the load was cancelled): hand the partition back.
      await ledger.release(id, null);
      throw error;
    }
    const classified = classifyError(error);
    const message = classified.fix ? `${classified.message} Fix: ${classified.fix}` : classified.message;
    if (classified.kind === "retry" && claimed.attempt < COPY_MAX_ATTEMPTS) {
      const partition = `${formatQualifiedName(claimed.copy.partition.sourceRelation)}#${claimed.copy.partition.index}`;
      logger?.warn("partition copy failed; will retry", { partition, attempt: claimed.attempt, code: classified.code });
      await ledger.release(id, message);
      throw error;
    }
    await ledger.fail(id, { code: classified.code, message, error });
    return "failed";
  }
}

/** The typed error's reason; PostgreSQL's own message when the import itself failed. */
function snapshotGoneReason(error: unknown): string {
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e instanceof SnapshotGoneError) return e.reason;
  }
  return (error as Error)?.message ?? String(error);
}
