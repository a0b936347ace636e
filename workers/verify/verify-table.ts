import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import type { VerifyContext } from "./context";
import { verifyKeyed } from "./keyed";
import { verifyMultiset } from "./multiset";
import { openVerifySession } from "./session";
import {
  DEFAULT_CATCH_UP_TIMEOUT_MS,
  DEFAULT_CHUNK_ROWS,
  DEFAULT_LIVE_ATTEMPTS,
  DEFAULT_MAX_EXAMPLES,
  type VerifyTableOptions,
  type VerifyTableResult,
} from "./types";

/**
 * Compares one table of a mirror between source and target (see README.md). Read-only on both
 * peers, so it may run any number of times, beside CDC. Memory: at most about two chunks of
 * (key, hash) pairs or 65,536 bucket summaries per side, plus `maxExamples` examples.
 *
 * Resolves with the counts and examples; rejects with the peer's error (a missing table, a lost
 * connection), with an Error when a live mirror does not catch up in time, or with the abort
 * reason when `signal` fires (checked between chunks).
 */
export async function verifyTable(options: VerifyTableOptions): Promise<VerifyTableResult> {
  const label = formatQualifiedName(options.table.source);
  const source = await openVerifySession(options.source, `verify:${label}`);
  try {
    const target = await openVerifySession(options.target, `verify:${label}`);
    try {
      const result: VerifyTableResult = { chunksDone: 0, chunksTotal: 0, sourceRows: 0, targetRows: 0, differences: 0, examples: [] };
      const ctx: VerifyContext = {
        source,
        target,
        table: options.table,
        liveMirror: options.liveMirror,
        signal: options.signal,
        chunkRows: options.chunkRows ?? DEFAULT_CHUNK_ROWS,
        maxExamples: options.maxExamples ?? DEFAULT_MAX_EXAMPLES,
        attempts: options.liveMirror ? (options.liveAttempts ?? DEFAULT_LIVE_ATTEMPTS) : 1,
        catchUpTimeoutMs: options.catchUpTimeoutMs ?? DEFAULT_CATCH_UP_TIMEOUT_MS,
        result,
        report: () => options.onProgress?.({ ...result }),
      };
      await (options.table.key.length > 0 ? verifyKeyed(ctx) : verifyMultiset(ctx));
      return result;
    } finally {
      await target.end().catch(() => {});
    }
  } finally {
    await source.end().catch(() => {});
  }
}
