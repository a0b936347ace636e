/**
 * Writes decoded changes to the target, in source commit order, many source transactions per
 * target transaction, and records the source position in that same transaction.
 *
 * Throughput comes from three things:
 * - Runs of consecutive changes to one table of one kind become one multi-row statement
 *   (apply-sql.ts), up to `maxStatementRows` rows or `maxStatementBytes` of values.
 * - Statements are prepared once per connection and reused (named statements).
 * - The apply connection is in pipeline mode: up to `maxInFlight` statements are on the wire
 *   while the next one is being built; the stream is not read while that window is full, which
 *   is the backpressure that keeps memory bounded during a large transaction.
 *
 * Ordering inside a run is safe because a run only holds one kind of change for one table, and a
 * key that repeats within an UPDATE run is merged into one row (the later update wins, which is
 * what applying both in order would leave). Primary-key changes and tables without a usable key
 * are applied one statement per change.
 */
import type pg from "pg";
import type { Lsn } from "@/lib/pg/lsn";
import { type BeginMessage, type CommitMessage, type DeleteMessage, type Tuple, type TupleValue, UNCHANGED_TOAST, type UpdateMessage } from "@/lib/pg/pgoutput";
import {
  type MatchShape,
  deleteManySql,
  deleteOneMatchSql,
  insertManySql,
  truncateSql,
  updateKeyChangeSql,
  updateManySql,
  updateOneMatchSql,
} from "@/workers/cdc/apply-sql";
import { progressUpsert } from "@/workers/cdc/progress";
import { textArrayLiteral } from "@/workers/cdc/text-array";
import type { PlanColumn, TablePlan } from "@/workers/cdc/apply-plan";

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

/** What one committed target transaction contained. */
export interface AppliedBatch {
  /** Row changes (inserts + updates + deletes). */
  rows: number;
  inserts: number;
  updates: number;
  deletes: number;
  truncates: number;
  /** Source transactions in the batch. */
  transactions: number;
  tables: TableCounts[];
  /** Commit LSN of the first source transaction in the batch (null for a batch of DDL only). */
  firstLsn: Lsn | null;
  /** The position stored with the batch: end of its last source commit. */
  lastLsn: Lsn;
  /** Commit time of the last source transaction applied. */
  commitTime: Date | null;
  /** From the first change of the batch to the target's COMMIT. */
  durationMs: number;
  /** UPDATE/DELETE rows that were not found on the target (a sign it diverged). */
  missingRows: number;
}

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

type Kind = "insert" | "update" | "delete";

/** A run of changes waiting to become one statement. */
interface Run {
  plan: TablePlan;
  kind: Kind;
  /** Distinguishes UPDATE runs by the set of columns they write (unchanged TOAST is left out). */
  signature: string;
  /** Columns whose values are the statement's parameters, in parameter order. */
  columns: PlanColumn[];
  setColumns: PlanColumn[];
  params: (string | null)[][];
  rows: number;
  bytes: number;
  /** Row index by key, for merging repeated updates and counting distinct deletes. */
  keys: Map<string, number> | null;
}

/** The open target transaction's bookkeeping. */
interface Batch {
  startedAt: number;
  /** Source commit time of the batch's first transaction with changes. */
  firstCommitTime: Date | null;
  rows: number;
  transactions: number;
  firstLsn: Lsn | null;
  commitTime: Date | null;
  counts: Map<string, TableCounts>;
  missingRows: number;
}

export interface CountsSnapshot {
  rows: number;
  sourceTxnRows: number;
  counts: Map<string, TableCounts>;
}

function copyCounts(counts: Map<string, TableCounts>): Map<string, TableCounts> {
  return new Map([...counts].map(([table, c]) => [table, { ...c }]));
}

function newBatch(): Batch {
  return { startedAt: 0, firstCommitTime: null, rows: 0, transactions: 0, firstLsn: null, commitTime: null, counts: new Map(), missingRows: 0 };
}

interface InFlight {
  promise: Promise<unknown>;
  bytes: number;
}

export class Applier {
  /** Position stored by the last target COMMIT that succeeded. */
  committedLsn: Lsn;
  private txOpen = false;
  private readonly inflight: InFlight[] = [];
  private inflightBytes = 0;
  private failure: unknown = null;
  private failureSequence = 0;
  private sent = 0;
  private run: Run | null = null;
  private readonly statements = new Map<string, { name: string; text: string }>();
  private batch: Batch = newBatch();
  /** First source commit times of the batches whose COMMIT was sent but not yet answered, oldest first. */
  private readonly pendingCommits: (Date | null)[] = [];
  /** Latest position known to be fully applied-or-irrelevant once the open work commits. */
  private position: Lsn;
  private sourceTxnRows = 0;
  private sourceTxnBegin: BeginMessage | null = null;

  constructor(
    private readonly client: pg.Client,
    private readonly options: ApplierOptions,
  ) {
    this.committedLsn = options.committedLsn;
    this.position = options.committedLsn;
  }

  /** True while a target transaction holds uncommitted work (sent or not). */
  get open(): boolean {
    return this.txOpen || this.run !== null;
  }

  /** True while anything sent to the target has not been answered (e.g. a COMMIT on its way). */
  get busy(): boolean {
    return this.open || this.pendingCommits.length > 0;
  }

  /** Commit time of the oldest source transaction that has changes not yet committed on the target. */
  get oldestPendingCommitTime(): Date | null {
    return this.pendingCommits.find((time) => time !== null) ?? this.batch.firstCommitTime;
  }

  /** Row changes in the open target transaction. */
  get rowsInBatch(): number {
    return this.batch.rows;
  }

  get batchAgeMs(): number {
    return this.batch.startedAt ? Date.now() - this.batch.startedAt : 0;
  }

  /** Position that the next commit (or idle persist) would store. */
  get pendingPosition(): Lsn {
    return this.position;
  }

  beginSource(begin: BeginMessage): void {
    this.sourceTxnBegin = begin;
    this.sourceTxnRows = 0;
  }

  /** A source transaction was fully handed over: its end becomes the position to store. */
  endSource(commit: CommitMessage): void {
    if (this.sourceTxnRows > 0) {
      this.batch.transactions++;
      // A streamed transaction's Begin is made up before its commit LSN is known (finalLsn 0).
      this.batch.firstLsn ??= this.sourceTxnBegin?.finalLsn || commit.commitLsn;
      this.batch.commitTime = commit.commitTime;
    }
    this.sourceTxnBegin = null;
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
    const run = await this.runFor(plan, "insert", "", plan.columns, plan.columns);
    const { columns } = plan;
    for (let i = 0; i < columns.length; i++) this.pushValue(run, i, tuple[columns[i].index] as string | null);
    run.rows++;
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
      await this.send(this.prepared(plan, `ukey:${mask(setColumns)}`, () => updateKeyChangeSql(plan, setColumns), values), 1, 0);
      return;
    }
    // Unchanged TOAST columns are left out of the SET list (and so keep their target value).
    let setColumns = nonKey;
    let signature = "*";
    for (const column of nonKey) {
      if (tuple[column.index] === UNCHANGED_TOAST) {
        setColumns = nonKey.filter((c) => tuple[c.index] !== UNCHANGED_TOAST);
        signature = mask(setColumns);
        break;
      }
    }
    if (setColumns.length === 0) return; // only key columns, all unchanged: nothing to write
    const run = await this.runFor(plan, "update", signature, key.length ? [...key, ...setColumns] : setColumns, setColumns);
    const rowKey = key.length === 1 ? keyValues[0] : keyValues.join("\u0000");
    const existing = run.keys!.get(rowKey);
    if (existing !== undefined) {
      // The same row again in this run: one statement cannot update a row twice, and applying
      // both in order would leave the later values, so those replace the earlier ones.
      for (let i = 0; i < setColumns.length; i++) run.params[key.length + i][existing] = tuple[setColumns[i].index] as string | null;
      return;
    }
    run.keys!.set(rowKey, run.rows);
    for (let i = 0; i < key.length; i++) this.pushValue(run, i, keyValues[i]);
    for (let i = 0; i < setColumns.length; i++) this.pushValue(run, key.length + i, tuple[setColumns[i].index] as string | null);
    run.rows++;
  }

  async delete(plan: TablePlan, message: DeleteMessage): Promise<void> {
    this.count(plan, "deletes");
    if (plan.keyMode === "match") {
      await this.deleteOneMatch(plan, message.oldTuple);
      return;
    }
    const keyValues = plan.key.map((column) => keyValue(plan, column, message.oldTuple, null));
    const run = await this.runFor(plan, "delete", "", plan.key, []);
    const rowKey = keyValues.join("\u0000");
    if (run.keys!.has(rowKey)) return; // the second delete of a key in one run finds nothing either way
    run.keys!.set(rowKey, run.rows);
    for (let i = 0; i < keyValues.length; i++) this.pushValue(run, i, keyValues[i]);
    run.rows++;
  }

  async truncate(plans: TablePlan[], restartIdentity: boolean): Promise<void> {
    if (plans.length === 0) return;
    await this.flushRun();
    for (const plan of plans) this.count(plan, "truncates");
    await this.send({ text: truncateSql(plans, restartIdentity) }, 0, 0);
  }

  /** Runs a statement (DDL) inside the open target transaction, after everything queued before it. */
  async execute(sql: string): Promise<void> {
    await this.flushRun();
    this.ensureTransaction();
    await this.drain();
    await this.client.query(sql);
  }

  /** Sends any pending run; does not wait for it (flow control aside). */
  async flushRun(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = null;
    const { plan } = run;
    const expected = run.kind === "insert" ? 0 : run.rows;
    // Array parameters go as ready-made literals: cheaper than node-postgres's generic conversion.
    const values = run.params.map(textArrayLiteral);
    let query: pg.QueryConfig;
    if (run.kind === "insert") query = this.prepared(plan, "ins", () => insertManySql(plan, run.columns), values);
    else if (run.kind === "update") query = this.prepared(plan, `upd:${run.signature}`, () => updateManySql(plan, run.setColumns), values);
    else query = this.prepared(plan, "del", () => deleteManySql(plan), values);
    await this.send(query, expected, run.bytes);
  }

  /**
   * Commits the open target transaction together with the position of the last complete source
   * transaction. Call only between source transactions. The COMMIT is pipelined: this returns
   * once it is sent, and the next batch can go out behind it; `onCommitted` reports it when the
   * target confirms, and only then does committedLsn (what the slot is confirmed with) move.
   */
  async commit(): Promise<void> {
    await this.flushRun();
    if (!this.txOpen) return;
    const lastLsn = this.position;
    const batch = this.batch;
    await this.send(progressUpsert(this.options.mirror, lastLsn), 0, 0);
    this.txOpen = false;
    this.batch = newBatch();
    this.pendingCommits.push(batch.firstCommitTime);
    const committed = this.client.query("COMMIT").then((result) => {
      // COMMIT of a transaction that an earlier pipelined statement aborted "succeeds" with the
      // tag ROLLBACK. Never count that as committed: the slot would be confirmed past data the
      // target does not have. The statement's own error surfaces first (settled in order).
      if (result.command !== "COMMIT") throw new Error(`target transaction ended with ${result.command} instead of COMMIT`);
      this.pendingCommits.shift();
      this.committedLsn = lastLsn;
      const counts = [...batch.counts.values()];
      const sum = (key: "inserts" | "updates" | "deletes" | "truncates") => counts.reduce((total, table) => total + table[key], 0);
      this.options.onCommitted({
        rows: batch.rows,
        inserts: sum("inserts"),
        updates: sum("updates"),
        deletes: sum("deletes"),
        truncates: sum("truncates"),
        transactions: batch.transactions,
        tables: counts,
        firstLsn: batch.firstLsn,
        lastLsn,
        commitTime: batch.commitTime,
        durationMs: Date.now() - batch.startedAt,
        missingRows: batch.missingRows,
      });
    });
    this.track(committed, 0);
    await this.throttle();
  }

  /**
   * Abandons the open target transaction (a streamed source transaction that aborted): the
   * pending run is dropped, what was sent is rolled back. Throws a failure of what was sent.
   */
  async rollback(): Promise<void> {
    this.run = null;
    if (this.txOpen) {
      this.txOpen = false;
      this.track(this.client.query("ROLLBACK"), 0);
    }
    this.batch = newBatch();
    this.sourceTxnBegin = null;
    await this.drain();
  }

  /** The open batch's counters, to put back after a ROLLBACK TO SAVEPOINT (see restoreCounts). */
  countsSnapshot(): CountsSnapshot {
    return { rows: this.batch.rows, sourceTxnRows: this.sourceTxnRows, counts: copyCounts(this.batch.counts) };
  }

  /** Forgets the changes counted since `snapshot` (they were rolled back on the target). */
  restoreCounts(snapshot: CountsSnapshot): void {
    this.batch.rows = snapshot.rows;
    this.sourceTxnRows = snapshot.sourceTxnRows;
    this.batch.counts = copyCounts(snapshot.counts);
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
    while (this.inflight.length) await this.settleOldest();
  }

  /** Stores `position` outside any transaction (idle slot). Only when nothing is open or on its way. */
  async persistPosition(): Promise<boolean> {
    if (this.open || this.position <= this.committedLsn) return false;
    await this.drain();
    const lsn = this.position;
    await this.client.query(progressUpsert(this.options.mirror, lsn));
    this.committedLsn = lsn;
    return true;
  }

  // --- internals -------------------------------------------------------------------------

  private count(plan: TablePlan, kind: "inserts" | "updates" | "deletes" | "truncates"): void {
    const batch = this.batch;
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

  private async runFor(plan: TablePlan, kind: Kind, signature: string, columns: PlanColumn[], setColumns: PlanColumn[]): Promise<Run> {
    const current = this.run;
    if (current && current.plan === plan && current.kind === kind && current.signature === signature) {
      if (current.rows < this.options.maxStatementRows && current.bytes < this.options.maxStatementBytes) return current;
    }
    await this.flushRun();
    const run: Run = {
      plan,
      kind,
      signature,
      columns,
      setColumns,
      params: columns.map(() => []),
      rows: 0,
      bytes: 0,
      keys: kind === "insert" ? null : new Map(),
    };
    this.run = run;
    return run;
  }

  private pushValue(run: Run, param: number, value: string | null): void {
    run.params[param].push(value);
    if (value !== null) run.bytes += value.length;
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
    await this.send(
      this.prepared(plan, `umatch:${mask(setColumns)}:${shape.join("")}`, () => updateOneMatchSql(plan, setColumns, shape), [...setValues, ...values]),
      1,
      0,
    );
  }

  private async deleteOneMatch(plan: TablePlan, oldTuple: Tuple): Promise<void> {
    await this.flushRun();
    const identity = plan.key.map((column) => oldTuple[column.index]);
    const { shape, values } = matchValues(plan, identity);
    await this.send(this.prepared(plan, `dmatch:${shape.join("")}`, () => deleteOneMatchSql(plan, shape), values), 1, 0);
  }

  /** A named statement, prepared once per connection, for this plan and statement shape. */
  private prepared(plan: TablePlan, shape: string, build: () => string, values: unknown[]): pg.QueryConfig {
    const cacheKey = `${plan.id}:${shape}`;
    let statement = this.statements.get(cacheKey);
    if (!statement) {
      statement = { name: `pgferry_cdc_${this.statements.size + 1}`, text: build() };
      this.statements.set(cacheKey, statement);
    }
    return { name: statement.name, text: statement.text, values };
  }

  private ensureTransaction(): void {
    if (this.txOpen) return;
    this.txOpen = true;
    if (!this.batch.startedAt) this.batch.startedAt = Date.now();
    this.track(this.client.query("BEGIN"), 0);
  }

  /**
   * Puts a statement on the wire inside the batch transaction. `expectedRows` > 0 counts rows the
   * statement should have touched; fewer means the target lacked them.
   */
  private async send(query: pg.QueryConfig, expectedRows: number, bytes: number): Promise<void> {
    this.ensureTransaction();
    const batch = this.batch;
    const result = this.client.query(query);
    this.track(result, bytes);
    if (expectedRows > 0) {
      void result.then(
        (answer) => {
          const touched = answer.rowCount ?? 0;
          if (touched < expectedRows) batch.missingRows += expectedRows - touched;
        },
        () => {},
      );
    }
    await this.throttle();
  }

  /** Flow control: wait for the oldest statements while too many, or too many bytes, are on the wire. */
  private async throttle(): Promise<void> {
    while (this.inflight.length > this.options.maxInFlight || (this.inflightBytes > this.options.maxInFlightBytes && this.inflight.length > 1)) {
      await this.settleOldest();
    }
  }

  private track(promise: Promise<unknown>, bytes: number): void {
    // Answers arrive in order; a statement behind a failed one fails too ("current transaction is
    // aborted"). The failure kept is the earliest statement's, the cause. Recording it here also
    // keeps it from being "unhandled" while it waits for settleOldest() to rethrow it.
    const sequence = this.sent++;
    promise.catch((error: unknown) => {
      const first = this.failure === null;
      if (first || sequence < this.failureSequence) {
        this.failure = error ?? new Error("target statement failed");
        this.failureSequence = sequence;
      }
      if (first) this.options.onFailure?.();
    });
    this.inflight.push({ promise, bytes });
    this.inflightBytes += bytes;
  }

  private async settleOldest(): Promise<void> {
    const oldest = this.inflight.shift()!;
    this.inflightBytes -= oldest.bytes;
    await oldest.promise.catch(() => {});
    this.throwIfFailed();
  }

  /**
   * Throws the first failure of anything sent to the target. The stream loop calls it between
   * messages: a pipelined statement can fail while nothing else is being sent (the stream idle).
   */
  throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }
}

/** A column's key value for finding the row: the old key when sent, else the (unchanged) new value. */
function keyValue(plan: TablePlan, column: PlanColumn, oldTuple: Tuple | null, newTuple: Tuple | null): string {
  let value: TupleValue | undefined = oldTuple?.[column.index];
  if (value === undefined || value === null || value === UNCHANGED_TOAST) value = newTuple?.[column.index];
  if (typeof value !== "string") {
    throw new Error(`change to ${plan.sourceLabel} has no value for key column ${column.name}; cannot find the target row`);
  }
  return value;
}

/**
 * Splits identity values into the statement shape (per column: "v" compare, "n" IS NULL, "s" skip)
 * and the parameters. A column sent as unchanged TOAST cannot be compared and is skipped; the
 * other identity columns still single out the row.
 */
function matchValues(plan: TablePlan, identity: (TupleValue | undefined)[]): { shape: MatchShape; values: string[] } {
  if (plan.key.length === 0) {
    throw new Error(
      `${plan.sourceLabel} has no primary key on the target and no replica identity columns: an UPDATE or DELETE cannot find its row. ` +
        `Add a primary key on the target or set REPLICA IDENTITY FULL on the source.`,
    );
  }
  const shape: MatchShape = [];
  const values: string[] = [];
  for (const value of identity) {
    if (value === UNCHANGED_TOAST || value === undefined) shape.push("s");
    else if (value === null) shape.push("n");
    else {
      shape.push("v");
      values.push(value);
    }
  }
  return { shape, values };
}

function mask(columns: PlanColumn[]): string {
  return columns.map((column) => column.index).join(",");
}
