/**
 * Writes decoded changes to the target, in source commit order, many source transactions per
 * target transaction, and records the source position in that same transaction.
 *
 * The applier decides what each change becomes and when a batch commits; the parts do the rest:
 * - change-runs.ts: runs of changes of one kind to one table become one multi-row statement.
 *   Primary-key changes and tables without a usable key are one statement per change.
 * - statement-cache.ts: statements are prepared once per connection and reused.
 * - target-pipeline.ts: statements, COMMIT included, are pipelined with bounded flow control.
 * - batch-accounting.ts: what each batch held, reported once its COMMIT is answered.
 *
 * Positions: `position` is the latest source position whose changes are all handed over (or that
 * had none for us); `committedLsn` is the latest one the target has committed. Only the latter is
 * ever confirmed to the slot.
 */
import type { Lsn } from "@/lib/pg/lsn";
import { type BeginMessage, type CommitMessage, type DeleteMessage, type Tuple, UNCHANGED_TOAST, type UpdateMessage } from "@/lib/pg/pgoutput";
import { deleteOneMatchSql, truncateSql, updateKeyChangeSql, updateOneMatchSql } from "@/workers/cdc/apply-sql";
import type { TablePlan } from "@/workers/cdc/apply-plan";
import { BatchAccounting, type CountKind, type CountsSnapshot } from "@/workers/cdc/batch-accounting";
import { columnMask, keyValue, matchValues, RunBuilder, type Statement } from "@/workers/cdc/change-runs";
import { progressUpsert } from "@/workers/cdc/progress";
import { StatementCache } from "@/workers/cdc/statement-cache";
import { type TargetClient, TargetPipeline } from "@/workers/cdc/target-pipeline";
import type { AppliedBatch } from "@/workers/cdc/types";

export interface ApplierOptions {
  mirror: string;
  /** Position already stored on the target. */
  committedLsn: Lsn;
  /** Rows per multi-row statement. */
  maxStatementRows: number;
  /** Bytes of values per multi-row statement (large TOASTed values make few rows heavy). */
  maxStatementBytes: number;
  /** Statements on the wire before the applier waits for the oldest. */
  maxInFlight: number;
  /** Bytes of values on the wire before the applier waits for the oldest statement. */
  maxInFlightBytes: number;
  /**
   * Called, in commit order, once a target COMMIT has succeeded (committedLsn is then the batch's
   * lastLsn). Must not throw.
   */
  onCommitted(batch: AppliedBatch): void;
  /** Called once when a statement fails, so an idle caller can wake up and call throwIfFailed(). */
  onFailure?(): void;
}

export class Applier {
  /** Position stored by the last target COMMIT that succeeded. */
  committedLsn: Lsn;
  /** Latest position known to be fully applied-or-irrelevant once the open work commits. */
  private position: Lsn;
  private readonly pipeline: TargetPipeline;
  private readonly statements = new StatementCache();
  private readonly runs: RunBuilder;
  private readonly accounting = new BatchAccounting();

  constructor(
    client: TargetClient,
    private readonly options: ApplierOptions,
  ) {
    this.committedLsn = options.committedLsn;
    this.position = options.committedLsn;
    this.pipeline = new TargetPipeline(client, options, options.onFailure);
    // Read per run, so a live change of the limit (CdcRun.setLimits) reaches statements too.
    this.runs = new RunBuilder(this.statements, {
      get maxRows() {
        return options.maxStatementRows;
      },
      maxBytes: options.maxStatementBytes,
    });
  }

  /** True while a target transaction holds uncommitted work (sent or not). */
  get open(): boolean {
    return this.pipeline.inTransaction || this.runs.pending;
  }

  /** True while anything sent to the target has not been answered (e.g. a COMMIT on its way). */
  get busy(): boolean {
    return this.open || this.accounting.awaitingCommit;
  }

  /** Commit time of the oldest source transaction that has changes not yet committed on the target. */
  get oldestPendingCommitTime(): Date | null {
    return this.accounting.oldestPendingCommitTime;
  }

  /** Row changes in the open target transaction. */
  get rowsInBatch(): number {
    return this.accounting.rows;
  }

  get batchAgeMs(): number {
    return this.accounting.ageMs;
  }

  /** Position that the next commit (or idle persist) would store. */
  get pendingPosition(): Lsn {
    return this.position;
  }

  beginSource(begin: BeginMessage): void {
    this.accounting.beginSource(begin);
  }

  /** A source transaction was fully handed over: its end becomes the position to store. */
  endSource(commit: CommitMessage): void {
    this.accounting.endSource(commit);
    this.notePosition(commit.endLsn);
  }

  /**
   * Records that everything before `lsn` is applied or irrelevant (a keepalive or an empty
   * transaction, outside any source transaction). Stored with the next commit or idle persist.
   */
  notePosition(lsn: Lsn): void {
    if (lsn > this.position) this.position = lsn;
  }

  async insert(plan: TablePlan, tuple: Tuple): Promise<void> {
    this.count(plan, "inserts");
    const closed = this.runs.insert(plan, tuple);
    if (closed) await this.send(closed);
  }

  async update(plan: TablePlan, message: UpdateMessage): Promise<void> {
    this.count(plan, "updates");
    if (plan.keyMode === "match") {
      await this.updateOneMatch(plan, message);
      return;
    }
    const tuple = message.newTuple;
    const old = message.oldTuple;
    const { key, nonKey } = plan;
    const keyValues: string[] = new Array(key.length);
    let keyChanged = false;
    for (let i = 0; i < key.length; i++) {
      const index = key[i].index;
      keyValues[i] = keyValue(plan, key[i], old, tuple);
      if (old !== null && tuple[index] !== UNCHANGED_TOAST && tuple[index] !== old[index]) keyChanged = true;
    }
    if (keyChanged) {
      await this.flushRun();
      const setColumns = plan.columns.filter((column) => tuple[column.index] !== UNCHANGED_TOAST);
      const values = [...setColumns.map((column) => tuple[column.index] as string | null), ...keyValues];
      const query = this.statements.query(plan, `ukey:${columnMask(setColumns)}`, () => updateKeyChangeSql(plan, setColumns), values);
      await this.send({ query, expectedRows: 1, bytes: 0 });
      return;
    }
    // Unchanged TOAST columns are left out of the SET list (and so keep their target value).
    let setColumns = nonKey;
    let signature = "*";
    for (const column of nonKey) {
      if (tuple[column.index] === UNCHANGED_TOAST) {
        setColumns = nonKey.filter((c) => tuple[c.index] !== UNCHANGED_TOAST);
        signature = columnMask(setColumns);
        break;
      }
    }
    if (setColumns.length === 0) return; // only key columns, all unchanged: nothing to write
    const closed = this.runs.update(plan, keyValues, setColumns, signature, tuple);
    if (closed) await this.send(closed);
  }

  async delete(plan: TablePlan, message: DeleteMessage): Promise<void> {
    this.count(plan, "deletes");
    if (plan.keyMode === "match") {
      await this.deleteOneMatch(plan, message.oldTuple);
      return;
    }
    const keyValues = plan.key.map((column) => keyValue(plan, column, message.oldTuple, null));
    const closed = this.runs.delete(plan, keyValues);
    if (closed) await this.send(closed);
  }

  async truncate(plans: TablePlan[], restartIdentity: boolean): Promise<void> {
    if (plans.length === 0) return;
    await this.flushRun();
    for (const plan of plans) this.count(plan, "truncates");
    await this.send({ query: { text: truncateSql(plans, restartIdentity) }, expectedRows: 0, bytes: 0 });
  }

  /** Runs a statement (DDL) inside the open target transaction, after everything queued before it. */
  async execute(sql: string): Promise<void> {
    await this.flushRun();
    this.accounting.touch();
    await this.pipeline.runAlone(sql);
  }

  /** Sends any pending run; does not wait for it (flow control aside). */
  async flushRun(): Promise<void> {
    const closed = this.runs.flush();
    if (closed) await this.send(closed);
  }

  /**
   * Commits the open target transaction together with the position of the last complete source
   * transaction. Call only between source transactions. The COMMIT is pipelined: this returns
   * once it is sent, and the next batch can go out behind it; `onCommitted` reports it when the
   * target confirms, and only then does committedLsn (what the slot is confirmed with) move.
   */
  async commit(): Promise<void> {
    await this.flushRun();
    if (!this.pipeline.inTransaction) return;
    const lastLsn = this.position;
    await this.send({ query: progressUpsert(this.options.mirror, lastLsn), expectedRows: 0, bytes: 0 });
    const batch = this.accounting.seal();
    this.pipeline.commit(() => {
      const applied = this.accounting.committed(batch, lastLsn);
      this.committedLsn = lastLsn;
      this.options.onCommitted(applied);
    });
    await this.pipeline.throttle();
  }

  /**
   * Abandons the open target transaction (a streamed source transaction that aborted): the
   * pending run is dropped, what was sent is rolled back. Throws a failure of what was sent.
   */
  async rollback(): Promise<void> {
    this.runs.drop();
    this.pipeline.rollback();
    this.accounting.discard();
    await this.pipeline.drain();
  }

  /** The open batch's counters, to put back after a ROLLBACK TO SAVEPOINT (see restoreCounts). */
  countsSnapshot(): CountsSnapshot {
    return this.accounting.snapshot();
  }

  /** Forgets the changes counted since `snapshot` (they were rolled back on the target). */
  restoreCounts(snapshot: CountsSnapshot): void {
    this.accounting.restore(snapshot);
  }

  /**
   * Moves the committed position to `lsn`, which another connection has just committed on the
   * target (a streamed transaction applied as it arrived). Only while nothing here is open.
   */
  advanceTo(lsn: Lsn): void {
    if (this.busy) throw new Error("advanceTo() while the applier has uncommitted work");
    if (lsn > this.committedLsn) this.committedLsn = lsn;
    this.notePosition(lsn);
  }

  /** Waits until everything sent has been answered; throws the first failure. */
  async drain(): Promise<void> {
    await this.pipeline.drain();
  }

  /** Stores `position` outside any transaction (idle slot). Only when nothing is open or on its way. */
  async persistPosition(): Promise<boolean> {
    if (this.open || this.position <= this.committedLsn) return false;
    await this.pipeline.drain();
    const lsn = this.position;
    await this.pipeline.runOutside(progressUpsert(this.options.mirror, lsn));
    this.committedLsn = lsn;
    return true;
  }

  /**
   * Throws the first failure of anything sent to the target. The stream loop calls it between
   * messages: a pipelined statement can fail while nothing else is being sent (the stream idle).
   */
  throwIfFailed(): void {
    this.pipeline.throwIfFailed();
  }

  private count(plan: TablePlan, kind: CountKind): void {
    this.accounting.count(plan, kind);
  }

  private async updateOneMatch(plan: TablePlan, message: UpdateMessage): Promise<void> {
    await this.flushRun();
    // Without an old tuple the identity did not change, so the new tuple's values find the row.
    const identity = plan.key.map((column) => {
      const old = message.oldTuple?.[column.index];
      return old !== undefined && old !== UNCHANGED_TOAST ? old : message.newTuple[column.index];
    });
    const setColumns = plan.columns.filter((column) => message.newTuple[column.index] !== UNCHANGED_TOAST);
    if (setColumns.length === 0) return;
    const { shape, values } = matchValues(plan, identity);
    const setValues = setColumns.map((column) => message.newTuple[column.index] as string | null);
    const query = this.statements.query(
      plan,
      `umatch:${columnMask(setColumns)}:${shape.join("")}`,
      () => updateOneMatchSql(plan, setColumns, shape),
      [...setValues, ...values],
    );
    await this.send({ query, expectedRows: 1, bytes: 0 });
  }

  private async deleteOneMatch(plan: TablePlan, oldTuple: Tuple): Promise<void> {
    await this.flushRun();
    const identity = plan.key.map((column) => oldTuple[column.index]);
    const { shape, values } = matchValues(plan, identity);
    const query = this.statements.query(plan, `dmatch:${shape.join("")}`, () => deleteOneMatchSql(plan, shape), values);
    await this.send({ query, expectedRows: 1, bytes: 0 });
  }

  /** Puts a statement on the wire inside the batch transaction; counts rows the target lacked. */
  private async send(statement: Statement): Promise<void> {
    this.accounting.touch();
    const tally = this.accounting.current;
    const answer = this.pipeline.send(statement.query, statement.bytes);
    const expected = statement.expectedRows;
    if (expected > 0) {
      void answer.then(
        (result) => {
          const touched = result.rowCount ?? 0;
          if (touched < expected) tally.missingRows += expected - touched;
        },
        () => {},
      );
    }
    await this.pipeline.throttle();
  }
}
