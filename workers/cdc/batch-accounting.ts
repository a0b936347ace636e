/**
 * What each target transaction (a batch) holds, for its AppliedBatch record and for lag: counters
 * per table and kind, source transactions, first and last commit, rows the target lacked. The
 * applier counts here as it goes; nothing here talks to a database.
 *
 * A batch passes three stages: open (changes are being added), sealed (its COMMIT is on the wire)
 * and committed (the target answered COMMIT: the record is made). Sealed batches are answered in
 * the order they were sealed, because the apply connection answers in order.
 */
import { formatLsn, type Lsn } from "@/lib/pg/lsn";
import type { BeginMessage, CommitMessage } from "@/lib/pg/pgoutput";
import type { TablePlan } from "@/workers/cdc/apply-plan";
import type { AppliedBatch, TableCounts } from "@/workers/cdc/types";

export type CountKind = "inserts" | "updates" | "deletes" | "truncates";

/** The bookkeeping of one batch. */
export interface BatchTally {
  /** When its first change or statement came (0: nothing yet). */
  startedAt: number;
  /** Source commit time of its first transaction with changes (what lag is measured from). */
  firstCommitTime: Date | null;
  rows: number;
  transactions: number;
  firstLsn: Lsn | null;
  commitTime: Date | null;
  counts: Map<string, TableCounts>;
  /** UPDATE/DELETE rows the target did not have; added as statement answers arrive. */
  missingRows: number;
}

/** The open batch's counters at one moment, to put back after ROLLBACK TO SAVEPOINT. */
export interface CountsSnapshot {
  rows: number;
  sourceTxnRows: number;
  counts: Map<string, TableCounts>;
}

function newTally(): BatchTally {
  return { startedAt: 0, firstCommitTime: null, rows: 0, transactions: 0, firstLsn: null, commitTime: null, counts: new Map(), missingRows: 0 };
}

function copyCounts(counts: Map<string, TableCounts>): Map<string, TableCounts> {
  return new Map([...counts].map(([table, c]) => [table, { ...c }]));
}

export class BatchAccounting {
  /** The open batch. */
  current: BatchTally = newTally();
  /** First source commit times of the sealed batches, oldest first. */
  private readonly sealed: (Date | null)[] = [];
  private sourceTxnRows = 0;
  private sourceTxnBegin: BeginMessage | null = null;

  /** True while a sealed batch's COMMIT is unanswered. */
  get awaitingCommit(): boolean {
    return this.sealed.length > 0;
  }

  /** Commit time of the oldest source transaction with changes not yet committed on the target. */
  get oldestPendingCommitTime(): Date | null {
    return this.sealed.find((time) => time !== null) ?? this.current.firstCommitTime;
  }

  get rows(): number {
    return this.current.rows;
  }

  get ageMs(): number {
    return this.current.startedAt ? Date.now() - this.current.startedAt : 0;
  }

  beginSource(begin: BeginMessage): void {
    this.sourceTxnBegin = begin;
    this.sourceTxnRows = 0;
  }

  /** A source transaction was fully handed over; it counts in the batch when it changed rows. */
  endSource(commit: CommitMessage): void {
    const batch = this.current;
    if (this.sourceTxnRows > 0) {
      batch.transactions++;
      // A streamed transaction's Begin is made up before its commit LSN is known (finalLsn 0).
      batch.firstLsn ??= this.sourceTxnBegin?.finalLsn || commit.commitLsn;
      batch.commitTime = commit.commitTime;
    }
    this.sourceTxnBegin = null;
  }

  /** The open batch got its first statement (its target transaction began). */
  touch(): void {
    if (!this.current.startedAt) this.current.startedAt = Date.now();
  }

  count(plan: TablePlan, kind: CountKind): void {
    const batch = this.current;
    if (!batch.startedAt) batch.startedAt = Date.now();
    batch.firstCommitTime ??= this.sourceTxnBegin?.commitTime ?? null;
    let counts = batch.counts.get(plan.sourceLabel);
    if (!counts) {
      counts = { table: plan.sourceLabel, target: plan.target.sql, inserts: 0, updates: 0, deletes: 0, truncates: 0 };
      batch.counts.set(plan.sourceLabel, counts);
    }
    counts[kind]++;
    if (kind !== "truncates") batch.rows++;
    this.sourceTxnRows++;
  }

  /** The open batch's COMMIT goes on the wire: it waits for its answer, a new batch opens. */
  seal(): BatchTally {
    const batch = this.current;
    this.current = newTally();
    this.sealed.push(batch.firstCommitTime);
    return batch;
  }

  /** The oldest sealed batch was committed with `lastLsn` stored: its record. */
  committed(batch: BatchTally, lastLsn: Lsn): AppliedBatch {
    this.sealed.shift();
    const tables = [...batch.counts.values()];
    const sum = (key: CountKind) => tables.reduce((total, table) => total + table[key], 0);
    return {
      rows: batch.rows,
      inserts: sum("inserts"),
      updates: sum("updates"),
      deletes: sum("deletes"),
      truncates: sum("truncates"),
      transactions: batch.transactions,
      tables,
      firstLsn: batch.firstLsn === null ? null : formatLsn(batch.firstLsn),
      lastLsn: formatLsn(lastLsn),
      commitTime: batch.commitTime,
      durationMs: Date.now() - batch.startedAt,
      missingRows: batch.missingRows,
    };
  }

  /** The open batch was rolled back: nothing of it counts. */
  discard(): void {
    this.current = newTally();
    this.sourceTxnBegin = null;
  }

  snapshot(): CountsSnapshot {
    return { rows: this.current.rows, sourceTxnRows: this.sourceTxnRows, counts: copyCounts(this.current.counts) };
  }

  /** Forgets what was counted since `snapshot` (it was rolled back on the target). */
  restore(snapshot: CountsSnapshot): void {
    this.current.rows = snapshot.rows;
    this.sourceTxnRows = snapshot.sourceTxnRows;
    this.current.counts = copyCounts(snapshot.counts);
  }
}
