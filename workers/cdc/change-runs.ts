/**
 * Runs: consecutive changes of one kind to one table, gathered into one multi-row statement
 * (apply-sql.ts) of up to `maxRows` rows or `maxBytes` of values.
 *
 * Ordering inside a run is safe because a run only holds one kind of change for one table, and a
 * key that repeats within an UPDATE run is merged into one row (the later update wins, which is
 * what applying both in order would leave). A run is closed — its statement handed back to be
 * sent — before anything else is added, so statements leave in the order the changes came.
 */
import type pg from "pg";
import type { Tuple, TupleValue } from "@/lib/pg/pgoutput";
import { UNCHANGED_TOAST } from "@/lib/pg/pgoutput";
import { type MatchShape, deleteManySql, insertManySql, updateManySql } from "@/workers/cdc/apply-sql";
import type { PlanColumn, TablePlan } from "@/workers/cdc/apply-plan";
import type { StatementCache } from "@/workers/cdc/statement-cache";
import { textArrayLiteral } from "@/workers/cdc/text-array";

/** A statement ready to send. */
export interface Statement {
  query: pg.QueryConfig;
  /** Rows it should touch (UPDATE/DELETE); fewer means the target lacked them. 0: not checked. */
  expectedRows: number;
  /** Bytes of values it carries, for flow control. */
  bytes: number;
}

type RunKind = "insert" | "update" | "delete";

interface Run {
  plan: TablePlan;
  kind: RunKind;
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

export interface RunLimits {
  /** Rows per multi-row statement. */
  maxRows: number;
  /** Bytes of values per multi-row statement (large TOASTed values make few rows heavy). */
  maxBytes: number;
}

export class RunBuilder {
  private run: Run | null = null;
  /** The statement of a run closed to make room, waiting to be taken by the caller. */
  private closed: Statement | null = null;

  constructor(
    private readonly statements: StatementCache,
    private readonly limits: RunLimits,
  ) {}

  /** True while changes wait in a run. */
  get pending(): boolean {
    return this.run !== null;
  }

  /**
   * Adds an INSERT. Returns the statement of the run it closed (another table or kind, or full),
   * which the caller sends before anything else; null when none was closed.
   */
  insert(plan: TablePlan, tuple: Tuple): Statement | null {
    const run = this.runFor(plan, "insert", "", plan.columns, plan.columns);
    const { columns } = plan;
    for (let i = 0; i < columns.length; i++) pushValue(run, i, tuple[columns[i].index] as string | null);
    run.rows++;
    return this.takeClosed();
  }

  /**
   * Adds an UPDATE found by its (unchanged) key, setting `setColumns` to the new tuple's values.
   * `signature` names the set of columns; returns the statement of a run it closed.
   */
  update(plan: TablePlan, keyValues: string[], setColumns: PlanColumn[], signature: string, tuple: Tuple): Statement | null {
    const { key } = plan;
    const run = this.runFor(plan, "update", signature, key.length ? [...key, ...setColumns] : setColumns, setColumns);
    const rowKey = key.length === 1 ? keyValues[0] : keyValues.join("\u0000");
    const existing = run.keys!.get(rowKey);
    if (existing !== undefined) {
      // The same row again in this run: one statement cannot update a row twice, and applying
      // both in order would leave the later values, so those replace the earlier ones.
      for (let i = 0; i < setColumns.length; i++) run.params[key.length + i][existing] = tuple[setColumns[i].index] as string | null;
      return this.takeClosed();
    }
    run.keys!.set(rowKey, run.rows);
    for (let i = 0; i < key.length; i++) pushValue(run, i, keyValues[i]);
    for (let i = 0; i < setColumns.length; i++) pushValue(run, key.length + i, tuple[setColumns[i].index] as string | null);
    run.rows++;
    return this.takeClosed();
  }

  /** Adds a DELETE by key; returns the statement of a run it closed. */
  delete(plan: TablePlan, keyValues: string[]): Statement | null {
    const run = this.runFor(plan, "delete", "", plan.key, []);
    const rowKey = keyValues.join("\u0000");
    if (run.keys!.has(rowKey)) return this.takeClosed(); // the second delete of a key in one run finds nothing either way
    run.keys!.set(rowKey, run.rows);
    for (let i = 0; i < keyValues.length; i++) pushValue(run, i, keyValues[i]);
    run.rows++;
    return this.takeClosed();
  }

  /** Closes the open run: its statement, or null when no changes wait. */
  flush(): Statement | null {
    const run = this.run;
    if (!run) return null;
    this.run = null;
    const { plan } = run;
    // Array parameters go as ready-made literals: cheaper than node-postgres's generic conversion.
    const values = run.params.map(textArrayLiteral);
    let query: pg.QueryConfig;
    if (run.kind === "insert") query = this.statements.query(plan, "ins", () => insertManySql(plan, run.columns), values);
    else if (run.kind === "update") query = this.statements.query(plan, `upd:${run.signature}`, () => updateManySql(plan, run.setColumns), values);
    else query = this.statements.query(plan, "del", () => deleteManySql(plan), values);
    return { query, expectedRows: run.kind === "insert" ? 0 : run.rows, bytes: run.bytes };
  }

  /** Forgets the open run (its source transaction aborted). */
  drop(): void {
    this.run = null;
  }

  private runFor(plan: TablePlan, kind: RunKind, signature: string, columns: PlanColumn[], setColumns: PlanColumn[]): Run {
    const current = this.run;
    if (current && current.plan === plan && current.kind === kind && current.signature === signature) {
      if (current.rows < this.limits.maxRows && current.bytes < this.limits.maxBytes) return current;
    }
    this.closed = this.flush();
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

  private takeClosed(): Statement | null {
    const closed = this.closed;
    this.closed = null;
    return closed;
  }
}

function pushValue(run: Run, param: number, value: string | null): void {
  run.params[param].push(value);
  if (value !== null) run.bytes += value.length;
}

/** A column's key value for finding the row: the old key when sent, else the (unchanged) new value. */
export function keyValue(plan: TablePlan, column: PlanColumn, oldTuple: Tuple | null, newTuple: Tuple | null): string {
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
export function matchValues(plan: TablePlan, identity: (TupleValue | undefined)[]): { shape: MatchShape; values: string[] } {
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

/** Names a set of columns, for statement cache keys and run signatures. */
export function columnMask(columns: PlanColumn[]): string {
  return columns.map((column) => column.index).join(",");
}
