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
import type { PlanColumn, TablePlan } from "@/workers/cdc/table-plan";

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

export class Applier {
  committedLsn: Lsn;
  private txOpen = false;
  private inflight: Promise<unknown>[] = [];
  private run: Run | null = null;
  private readonly statements = new Map<string, { name: string; text: string }>();
  // Batch state (the open target transaction).
  private batchStartedAt = 0;
  private batchRows = 0;
  private batchTransactions = 0;
  private batchFirstLsn: Lsn | null = null;
  private batchCommitTime: Date | null = null;
  private batchCounts = new Map<string, TableCounts>();
  private missingRows = 0;
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

  /** True while a target transaction holds uncommitted work. */
  get open(): boolean {
    return this.txOpen || this.run !== null;
  }

  /** Row changes in the open target transaction. */
  get rowsInBatch(): number {
    return this.batchRows;
  }

  get batchAgeMs(): number {
    return this.batchStartedAt ? Date.now() - this.batchStartedAt : 0;
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
      this.batchTransactions++;
      this.batchFirstLsn ??= this.sourceTxnBegin?.finalLsn ?? commit.commitLsn;
      this.batchCommitTime = commit.commitTime;
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
    const run = await this.runFor(plan, "insert", "", plan.columns, []);
    this.addRow(run, plan.columns.map((column) => tuple[column.index] as string | null));
  }

  async update(plan: TablePlan, message: UpdateMessage): Promise<void> {
    this.count(plan, "updates");
    const tuple = message.newTuple;
    if (plan.keyMode === "match") {
      await this.updateOneMatch(plan, message);
      return;
    }
    const keyValues = plan.key.map((column) => keyValue(plan, column, message.oldTuple, tuple));
    const keyChanged =
      message.oldTuple !== null && plan.key.some((column) => tuple[column.index] !== UNCHANGED_TOAST && tuple[column.index] !== message.oldTuple![column.index]);
    if (keyChanged) {
      await this.flushRun();
      const setColumns = plan.columns.filter((column) => tuple[column.index] !== UNCHANGED_TOAST);
      const values = [...setColumns.map((column) => tuple[column.index] as string | null), ...keyValues];
      await this.send(this.prepared(plan, `ukey:${mask(setColumns)}`, () => updateKeyChangeSql(plan, setColumns), values), 1);
      return;
    }
    const keyIndexes = new Set(plan.key.map((column) => column.index));
    const setColumns = plan.columns.filter((column) => !keyIndexes.has(column.index) && tuple[column.index] !== UNCHANGED_TOAST);
    if (setColumns.length === 0) return; // a table of key columns only: nothing to write
    const run = await this.runFor(plan, "update", mask(setColumns), [...plan.key, ...setColumns], setColumns);
    const values = [...keyValues, ...setColumns.map((column) => tuple[column.index] as string | null)];
    const key = keyValues.join("\u0000");
    const existing = run.keys!.get(key);
    if (existing === undefined) {
      run.keys!.set(key, run.rows);
      this.addRow(run, values);
    } else {
      for (let i = plan.key.length; i < values.length; i++) run.params[i][existing] = values[i];
    }
  }

  async delete(plan: TablePlan, message: DeleteMessage): Promise<void> {
    this.count(plan, "deletes");
    if (plan.keyMode === "match") {
      await this.deleteOneMatch(plan, message.oldTuple);
      return;
    }
    const keyValues = plan.key.map((column) => keyValue(plan, column, message.oldTuple, null));
    const run = await this.runFor(plan, "delete", "", plan.key, []);
    const key = keyValues.join("\u0000");
    if (run.keys!.has(key)) return; // the second delete of a key in one run finds nothing either way
    run.keys!.set(key, run.rows);
    this.addRow(run, keyValues);
  }

  async truncate(plans: TablePlan[], restartIdentity: boolean): Promise<void> {
    if (plans.length === 0) return;
    await this.flushRun();
    for (const plan of plans) this.count(plan, "truncates");
    await this.send({ text: truncateSql(plans, restartIdentity) }, 0);
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
    let query: pg.QueryConfig;
    if (run.kind === "insert") query = this.prepared(plan, "ins", () => insertManySql(plan, run.columns), run.params);
    else if (run.kind === "update") query = this.prepared(plan, `upd:${run.signature}`, () => updateManySql(plan, run.setColumns), run.params);
    else query = this.prepared(plan, "del", () => deleteManySql(plan), run.params);
    await this.send(query, expected);
  }

  /**
   * Commits the open target transaction together with the position of the last complete source
   * transaction. Call only between source transactions. Resolves to what was committed, or null
   * when nothing was open.
   */
  async commit(): Promise<AppliedBatch | null> {
    await this.flushRun();
    if (!this.txOpen) return null;
    const lastLsn = this.position;
    await this.send(progressUpsert(this.options.mirror, lastLsn), 0);
    await this.send({ text: "COMMIT" }, 0);
    await this.drain();
    this.txOpen = false;
    this.committedLsn = lastLsn;
    const counts = [...this.batchCounts.values()];
    const sum = (key: "inserts" | "updates" | "deletes" | "truncates") => counts.reduce((total, table) => total + table[key], 0);
    const batch: AppliedBatch = {
      rows: this.batchRows,
      inserts: sum("inserts"),
      updates: sum("updates"),
      deletes: sum("deletes"),
      truncates: sum("truncates"),
      transactions: this.batchTransactions,
      tables: counts,
      firstLsn: this.batchFirstLsn,
      lastLsn,
      commitTime: this.batchCommitTime,
      durationMs: Date.now() - this.batchStartedAt,
      missingRows: this.missingRows,
    };
    this.resetBatch();
    return batch;
  }

  /** Stores `position` outside any transaction (idle slot). Only when nothing is open. */
  async persistPosition(): Promise<boolean> {
    if (this.open || this.position <= this.committedLsn) return false;
    const lsn = this.position;
    await this.client.query(progressUpsert(this.options.mirror, lsn));
    this.committedLsn = lsn;
    return true;
  }

  // --- internals -------------------------------------------------------------------------

  private resetBatch(): void {
    this.batchStartedAt = 0;
    this.batchRows = 0;
    this.batchTransactions = 0;
    this.batchFirstLsn = null;
    this.batchCommitTime = null;
    this.batchCounts = new Map();
    this.missingRows = 0;
  }

  private count(plan: TablePlan, kind: "inserts" | "updates" | "deletes" | "truncates"): void {
    if (!this.batchStartedAt) this.batchStartedAt = Date.now();
    let counts = this.batchCounts.get(plan.sourceLabel);
    if (!counts) {
      counts = { table: plan.sourceLabel, target: plan.target.sql, inserts: 0, updates: 0, deletes: 0, truncates: 0 };
      this.batchCounts.set(plan.sourceLabel, counts);
    }
    counts[kind]++;
    if (kind !== "truncates") this.batchRows++;
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

  private addRow(run: Run, values: (string | null)[]): void {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      run.params[i].push(value);
      if (value !== null) run.bytes += value.length;
    }
    run.rows++;
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
    );
  }

  private async deleteOneMatch(plan: TablePlan, oldTuple: Tuple): Promise<void> {
    await this.flushRun();
    const identity = plan.key.map((column) => oldTuple[column.index]);
    const { shape, values } = matchValues(plan, identity);
    await this.send(this.prepared(plan, `dmatch:${shape.join("")}`, () => deleteOneMatchSql(plan, shape), values), 1);
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
    if (!this.batchStartedAt) this.batchStartedAt = Date.now();
    this.track(this.client.query("BEGIN"));
  }

  /**
   * Puts a statement on the wire inside the batch transaction. `expectedRows` > 0 counts rows the
   * statement should have touched; fewer means the target lacked them.
   */
  private async send(query: pg.QueryConfig, expectedRows: number): Promise<void> {
    this.ensureTransaction();
    const result = this.client.query(query);
    this.track(
      expectedRows > 0
        ? result.then((answer) => {
            const touched = answer.rowCount ?? 0;
            if (touched < expectedRows) this.missingRows += expectedRows - touched;
          })
        : result,
    );
    while (this.inflight.length > this.options.maxInFlight) await this.inflight.shift();
  }

  private track(promise: Promise<unknown>): void {
    // Handled here so a failure is not "unhandled" while it waits its turn; drain() rethrows it
    // in order, so the first failure (the cause) is what surfaces, not the aborted-transaction
    // errors of the statements pipelined behind it.
    promise.catch(() => {});
    this.inflight.push(promise);
  }

  private async drain(): Promise<void> {
    while (this.inflight.length) await this.inflight.shift();
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
