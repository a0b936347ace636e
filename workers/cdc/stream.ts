/**
 * The CDC engine of a mirror: streams changes from an existing slot and publication on the source
 * and applies them to the target until told to stop.
 *
 * Guarantees:
 * - Order: changes are applied in source commit order; many small source transactions share one
 *   target transaction, and a source transaction is never split across target transactions.
 * - Exactly-once effect: each target transaction also stores the source position it reaches
 *   (_pgferry.cdc_progress); a restart resumes from there and skips transactions that end before it.
 * - The slot is confirmed only up to what the target has committed (and, when idle, up to a
 *   keepalive position that was first stored on the target), so the confirmed position never
 *   passes the stored one.
 * - Bounded memory: a large source transaction is applied in statements of maxBatchRows rows
 *   while it streams in; the stream is paused while the target is behind.
 * - Transient errors (network, restarts, lock or serialization conflicts) are retried with
 *   backoff; anything else rejects with a CdcFatalError that says what to do.
 */
import { classifyError } from "@/lib/errors/classify";
import type { Lsn } from "@/lib/pg/lsn";
import { explainUniqueViolation } from "@/workers/cdc/error-fix";
import { RunState } from "@/workers/cdc/run-state";
import { runSession } from "@/workers/cdc/session";
import { CdcFatalError, type CdcLag, type CdcOptions } from "@/workers/cdc/types";
import { sleep } from "@/lib/sleep";

/** A running CDC stream. */
export interface CdcRun {
  /** Resolves when stopped by the signal; rejects with CdcFatalError when a person must act. */
  done: Promise<void>;
  /** Current lag; queries the source's WAL position. */
  lag(): Promise<CdcLag>;
  /** Resolves once every onBatch call made so far has settled (after `done`: all of them). Never rejects. */
  reported(): Promise<void>;
  /** The position committed on the target so far (null before the first session started). */
  appliedLsn(): Lsn | null;
  /**
   * New batch limits for the running stream, from its next decision on; no restart. The statement size
   * of a large transaction (maxBatchRows at the start) stays until the next session.
   */
  setLimits(limits: { maxBatchRows: number; maxBatchLatencyMs: number }): void;
}

/** Starts CDC for a mirror; see CdcOptions. The stream runs until `options.signal` aborts. */
export function startCdc(options: CdcOptions): CdcRun {
  const state = new RunState(options);
  return {
    done: runWithRetries(options, state),
    lag: () => state.lag(),
    reported: () => state.reported(),
    appliedLsn: () => state.appliedLsn,
    setLimits: (limits) => Object.assign(state.limits, limits),
  };
}

/** startCdc(options).done: streams until the signal aborts; rejects with CdcFatalError. */
export function runCdc(options: CdcOptions): Promise<void> {
  return startCdc(options).done;
}

async function runWithRetries(options: CdcOptions, state: RunState): Promise<void> {
  const initialDelay = options.retryInitialDelayMs ?? 1_000;
  const maxDelay = options.retryMaxDelayMs ?? 30_000;
  let attempt = 0;
  while (!options.signal.aborted) {
    state.progressed = false;
    try {
      await runSession(options, state);
      return;
    } catch (error) {
      if (options.signal.aborted) return;
      let classified = classifyError(error);
      if (classified.kind !== "retry") {
        classified = await explainUniqueViolation(classified, error, options.target, `cdc:${options.mirror}:diagnose`);
        state.event({ level: "error", message: classified.message, detail: { code: classified.code, fix: classified.fix, resyncNeeded: classified.resyncNeeded } });
        throw new CdcFatalError(classified);
      }
      attempt = state.progressed ? 1 : attempt + 1;
      const delay = Math.min(maxDelay, initialDelay * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
      state.event({
        level: "warn",
        message: `Replication interrupted, retrying in ${Math.round(delay / 100) / 10} s: ${classified.message}`,
        detail: { code: classified.code, attempt },
      });
      await sleep(delay, options.signal);
    }
  }
}


