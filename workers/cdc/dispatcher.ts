/**
 * The session's state machine: takes each stream item in order and owns what the session knows —
 * whether a source transaction is open (or being skipped as already applied), what has been
 * received, applied (committed on the target) and acknowledged to the slot, and when the open
 * batch commits.
 *
 * Commit policy between source transactions: the batch is committed once it holds maxBatchRows
 * row changes, is maxBatchLatencyMs old, or the stream has nothing more queued — so a busy stream
 * forms large batches by itself and an idle one commits at once.
 *
 * Acknowledgement: the slot is only ever confirmed with the applier's committed position. While
 * idle, a keepalive position is first stored on the target (persistPosition) and only then
 * confirmed, so the slot's confirmed position never passes the stored one.
 */
import type { Lsn } from "@/lib/pg/lsn";
import { decodePgoutput, type PgoutputMessage } from "@/lib/pg/pgoutput";
import type { Applier } from "@/workers/cdc/applier";
import type { TablePlan } from "@/workers/cdc/apply-plan";
import type { Relations } from "@/workers/cdc/relation-plans";
import type { StreamItem } from "@/workers/cdc/replication-stream";
import type { TransactionSpool } from "@/workers/cdc/spool";
import { type StreamCommit, StreamedTransactions } from "@/workers/cdc/streamed-transactions";
import type { AppliedBatch, ApplyCeiling } from "@/workers/cdc/types";

/** What the dispatcher needs of the replication stream. */
export interface StreamLink {
  /** Decoded messages waiting to be read. */
  readonly queued: number;
  /** Sends a standby status update now; it reports acknowledgeable() as flushed. `replyRequested`: the source answers with a keepalive. */
  sendStatus(replyRequested?: boolean): void;
}

/** Where the dispatcher publishes positions for lag and batches for reporting (RunState). */
export interface SessionReport {
  receivedLsn: Lsn | null;
  appliedLsn: Lsn | null;
  /** Set when something was stored on the target this session (resets the retry backoff). */
  progressed: boolean;
  batch(batch: AppliedBatch): void;
}

export interface DispatcherOptions {
  /** The session's start: transactions committed before it are already on the target. */
  start: Lsn;
  /** Read at every decision, so an edit of the mirror's settings applies to the running session (CdcRun.setLimits). */
  readonly maxBatchRows: number;
  readonly maxBatchLatencyMs: number;
  idleAckIntervalMs: number;
  /** See CdcOptions.ceiling. */
  ceiling?: ApplyCeiling;
}

export interface DispatcherParts {
  /** The main applier; its onCommitted must call dispatcher.batchCommitted. */
  applier: Applier;
  /** The applier for a large transaction applied while it streams (second connection, opened on first use). */
  eagerApplier: () => Promise<Applier>;
  relations: Relations;
  stream: StreamLink;
  report: SessionReport;
}

export class Dispatcher {
  private readonly applier: Applier;
  private readonly streamed: StreamedTransactions;
  private inTransaction = false;
  /** The open source transaction committed before the start: already on the target. */
  private skipping = false;
  /** The ceiling is final and this stream reached it: nothing more is applied. */
  private halted = false;
  private lastIdleAck = 0;

  constructor(
    private readonly parts: DispatcherParts,
    private readonly options: DispatcherOptions,
  ) {
    this.applier = parts.applier;
    this.streamed = new StreamedTransactions(
      {
        main: parts.applier,
        eagerApplier: parts.eagerApplier,
        changesSchema: (message) => parts.relations.changesSchema(message),
        apply: (message, into) => this.apply(message, into),
        replay: (commit, spool) => this.replay(commit, spool),
        committed: () => {
          parts.report.appliedLsn = this.applier.committedLsn;
          parts.stream.sendStatus();
        },
      },
      options.start,
    );
  }

  /** The position the slot may be confirmed with: what the target has committed, never more. */
  acknowledgeable(): Lsn {
    return this.applier.committedLsn;
  }

  /** A main-connection batch was committed on the target: it may now be acknowledged and reported. */
  batchCommitted(batch: AppliedBatch): void {
    this.parts.stream.sendStatus();
    this.parts.report.batch(batch);
  }

  /** Throws a failure of anything sent to the target so far. */
  throwIfFailed(): void {
    this.applier.throwIfFailed();
    this.streamed.throwIfFailed();
  }

  /** The stream has received up to `lsn` (data or keepalive). */
  received(lsn: Lsn): void {
    this.parts.report.receivedLsn = lsn;
  }

  /** The next item of the stream. (Not async itself: one promise less per change on the hot path.) */
  dispatch(item: StreamItem): Promise<void> {
    switch (item.kind) {
      case "data":
        return this.apply(item.message);
      case "keepalive":
        return this.keepalive(item.walEnd);
      case "streamStart":
        return this.streamed.blockStarts(item.xid);
      case "streamChange":
        return this.streamed.change(item.xid, item.subxid, item.message);
      case "streamAbort":
        return this.streamed.aborted(item.xid, item.subxid);
      case "streamed":
        return this.streamed.committed(item.commit, item.spool);
      case "streamStop":
        return Promise.resolve();
    }
  }

  /** Outside a source transaction, everything before a keepalive's position is on the target or irrelevant. */
  private async keepalive(walEnd: Lsn): Promise<void> {
    if (this.inTransaction || this.halted) return;
    this.applier.notePosition(walEnd);
    await this.betweenTransactions();
    // Passed means applied and committed: a COMMIT still on the wire could fail, and a finished catch-up
    // stream is not run again.
    if (this.options.ceiling && !this.applier.open) {
      await this.applier.drain();
      this.options.ceiling.passed(walEnd);
    }
  }

  /** Nothing arrived for a while. */
  async idle(): Promise<void> {
    await this.betweenTransactions();
    // A stream behind a ceiling learns from a keepalive that nothing below the ceiling is left, so it asks for one.
    if (this.options.ceiling && !this.inTransaction && !this.halted) this.parts.stream.sendStatus(true);
  }

  /** Asked to stop: keep the complete source transactions applied so far. */
  async stop(): Promise<void> {
    if (!this.inTransaction) await this.applier.commit();
    await this.applier.drain();
  }

  /** Applies one message; changes go to `into` (the main applier, or the one of a streamed transaction). */
  private async apply(message: PgoutputMessage, into: Applier = this.applier): Promise<void> {
    const { relations } = this.parts;
    switch (message.tag) {
      case "begin":
        this.inTransaction = true;
        this.skipping = this.halted || message.finalLsn < this.options.start || !(await this.admitted(message.finalLsn));
        if (this.skipping) return;
        if (this.applier.open && this.applier.batchAgeMs >= this.options.maxBatchLatencyMs) await this.applier.commit();
        this.applier.beginSource(message);
        return;
      case "commit":
        this.inTransaction = false;
        if (!this.skipping) this.applier.endSource(message);
        this.skipping = false;
        await this.betweenTransactions();
        return;
      case "relation":
        await relations.describe(message);
        return;
      case "insert": {
        const target = this.skipping ? null : relations.plan(message.relationId);
        if (!target) return;
        if (target.enumColumns.length) await relations.ensureEnumLabels(target, message.newTuple);
        await into.insert(target, message.newTuple);
        return;
      }
      case "update": {
        const target = this.skipping ? null : relations.plan(message.relationId);
        if (!target) return;
        if (target.enumColumns.length) await relations.ensureEnumLabels(target, message.newTuple);
        await into.update(target, message);
        return;
      }
      case "delete": {
        const target = this.skipping ? null : relations.plan(message.relationId);
        if (!target) return;
        await into.delete(target, message);
        return;
      }
      case "truncate": {
        if (this.skipping) return;
        const targets = message.relationIds.map((id) => relations.plan(id)).filter((found): found is TablePlan => found !== null);
        await into.truncate(targets, message.restartIdentity);
        return;
      }
      default:
        // Type, Origin and logical decoding messages carry nothing to apply.
        return;
    }
  }

  /**
   * With a ceiling: waits until the transaction committing at `commitLsn` is below it. What this
   * stream applied so far is committed first — the stream it follows may be waiting for exactly that
   * (and, at a final ceiling, it is this stream's last batch).
   */
  private async admitted(commitLsn: Lsn): Promise<boolean> {
    const { ceiling } = this.options;
    if (!ceiling) return true;
    if (this.applier.open) await this.applier.commit();
    if (await ceiling.admit(commitLsn)) return true;
    this.halted = true;
    await this.applier.drain();
    ceiling.passed(commitLsn);
    return false;
  }

  /** A committed streamed transaction, from its spool: Begin, its changes in order, Commit. */
  private async replay(commit: StreamCommit, spool: TransactionSpool): Promise<void> {
    try {
      await this.apply({ tag: "begin", finalLsn: commit.commitLsn, commitTime: commit.commitTime, commitTimeMicros: commit.commitTimeMicros, xid: commit.xid });
      if (!this.skipping) for (const raw of spool.messages()) await this.apply(decodePgoutput(raw));
      const { flags, commitLsn, endLsn, commitTime, commitTimeMicros } = commit;
      await this.apply({ tag: "commit", flags, commitLsn, endLsn, commitTime, commitTimeMicros });
    } finally {
      spool.discard();
    }
  }

  private async betweenTransactions(): Promise<void> {
    await this.maybeCommit();
    await this.idleAck();
  }

  /** Between source transactions: commit when the batch is full, old enough, or nothing more is waiting. */
  private async maybeCommit(): Promise<void> {
    if (this.inTransaction || !this.applier.open) return;
    const { applier } = this;
    if (applier.rowsInBatch >= this.options.maxBatchRows || applier.batchAgeMs >= this.options.maxBatchLatencyMs || this.parts.stream.queued === 0) {
      await applier.commit();
    }
  }

  /** Idle: store the latest keepalive position on the target, then confirm it to the slot. */
  private async idleAck(): Promise<void> {
    if (this.inTransaction || this.applier.busy || this.parts.stream.queued > 0) return;
    if (Date.now() - this.lastIdleAck < this.options.idleAckIntervalMs) return;
    if (await this.applier.persistPosition()) {
      this.lastIdleAck = Date.now();
      const { report } = this.parts;
      report.appliedLsn = this.applier.committedLsn;
      report.progressed = true;
      this.parts.stream.sendStatus();
    }
  }
}
