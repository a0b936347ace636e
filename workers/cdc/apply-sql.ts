/**
 * SQL text of the apply statements. Values always travel as text (`$n::text[]` or `$n::text`) and
 * are cast on the target to the target column's type, so each value goes through the target's
 * input function exactly as `COPY ... FROM` text would: what the source printed is what the
 * target stores (timestamps to the microsecond, json byte for byte, numeric scale, intervals).
 *
 * Multi-row statements read their rows from `ROWS FROM (unnest($1::text[]), unnest($2::text[]), ...)`:
 * one round trip and one plan for thousands of rows. ROWS FROM rather than the multi-argument
 * unnest() because a function call takes at most 100 arguments and a table up to 1,600 columns.
 */
import type { PlanColumn, TablePlan } from "@/workers/cdc/apply-plan";

function rowsFrom(count: number, firstParam = 1): string {
  const calls: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    calls.push(`unnest($${firstParam + i}::text[])`);
    names.push(`v${i + 1}`);
  }
  return `ROWS FROM (${calls.join(", ")}) AS s(${names.join(", ")})`;
}

/**
 * INSERT of many rows. Parameters: one text[] per column, in `columns` order.
 * OVERRIDING SYSTEM VALUE: target identity columns GENERATED ALWAYS must take the source's values.
 */
export function insertManySql(plan: TablePlan, columns: PlanColumn[]): string {
  const names = columns.map((column) => column.quoted).join(", ");
  const values = columns.map((column, i) => `s.v${i + 1}::${column.cast}`).join(", ");
  return `INSERT INTO ${plan.target.sql} (${names}) OVERRIDING SYSTEM VALUE SELECT ${values} FROM ${rowsFrom(columns.length)}`;
}

/**
 * UPDATE of many rows whose key did not change. Parameters: the key columns' text[] first, then
 * the SET columns'. The caller guarantees each key appears once (it merges repeated updates).
 */
export function updateManySql(plan: TablePlan, setColumns: PlanColumn[]): string {
  const key = plan.key;
  const set = setColumns.map((column, i) => `${column.quoted} = s.v${key.length + i + 1}::${column.cast}`).join(", ");
  const where = key.map((column, i) => `t.${column.quoted} = s.v${i + 1}::${column.cast}`).join(" AND ");
  return `UPDATE ${plan.target.sql} AS t SET ${set} FROM ${rowsFrom(key.length + setColumns.length)} WHERE ${where}`;
}

/** DELETE of many rows by key. Parameters: the key columns' text[]. */
export function deleteManySql(plan: TablePlan): string {
  const where = plan.key.map((column, i) => `t.${column.quoted} = s.v${i + 1}::${column.cast}`).join(" AND ");
  return `DELETE FROM ${plan.target.sql} AS t USING ${rowsFrom(plan.key.length)} WHERE ${where}`;
}

/**
 * UPDATE of one row found by its old key (a primary-key change). Parameters: the SET values, then
 * the old key values.
 */
export function updateKeyChangeSql(plan: TablePlan, setColumns: PlanColumn[]): string {
  const set = setColumns.map((column, i) => `${column.quoted} = $${i + 1}::text::${column.cast}`).join(", ");
  const where = plan.key.map((column, i) => `${column.quoted} = $${setColumns.length + i + 1}::text::${column.cast}`).join(" AND ");
  return `UPDATE ${plan.target.sql} SET ${set} WHERE ${where}`;
}

/** Per identity column: "v" compare with a parameter, "n" IS NULL, "s" skip (value not sent). */
export type MatchShape = ("v" | "n" | "s")[];

/**
 * The condition that finds one row by its replica identity (match mode). NULLs are matched with
 * IS NULL and take no parameter, so that non-null values compare with `=` and can use an index.
 * Types without value equality (json, geometric types) compare as text.
 */
function matchCondition(plan: TablePlan, shape: MatchShape, firstParam: number): string {
  let param = firstParam;
  const parts: string[] = [];
  plan.key.forEach((column, i) => {
    if (shape[i] === "s") return;
    if (shape[i] === "n") {
      parts.push(`${column.quoted} IS NULL`);
      return;
    }
    const value = `$${param++}::text::${column.cast}`;
    parts.push(column.hasEquality ? `${column.quoted} = ${value}` : `${column.quoted}::text = (${value})::text`);
  });
  return parts.length ? parts.join(" AND ") : "true";
}

/**
 * Singles out one row by its physical address. A ctid is unique only within one table: on a
 * partitioned target every leaf has its own (0,1), so the leaf (tableoid) is part of the address,
 * else a change to one partition's row would also hit the rows at the same place in the others.
 */
function oneRow(plan: TablePlan, match: string): string {
  return `(tableoid, ctid) = (SELECT tableoid, ctid FROM ${plan.target.sql} WHERE ${match} LIMIT 1)`;
}

/**
 * UPDATE of exactly one row matched on its replica identity (match mode). Parameters: SET values,
 * then the identity values marked "v" in `shape`. ctid-limited so that of several identical rows only one
 * changes, as on the source.
 */
export function updateOneMatchSql(plan: TablePlan, setColumns: PlanColumn[], shape: MatchShape): string {
  const set = setColumns.map((column, i) => `${column.quoted} = $${i + 1}::text::${column.cast}`).join(", ");
  const match = matchCondition(plan, shape, setColumns.length + 1);
  return `UPDATE ${plan.target.sql} SET ${set} WHERE ${oneRow(plan, match)}`;
}

/** DELETE of exactly one row matched on its replica identity (match mode). Parameters: the identity values marked "v". */
export function deleteOneMatchSql(plan: TablePlan, shape: MatchShape): string {
  const match = matchCondition(plan, shape, 1);
  return `DELETE FROM ${plan.target.sql} WHERE ${oneRow(plan, match)}`;
}

export function truncateSql(plans: TablePlan[], restartIdentity: boolean): string {
  // Never CASCADE: that would empty target tables outside the mirror that reference these.
  return `TRUNCATE ${plans.map((plan) => plan.target.sql).join(", ")}${restartIdentity ? " RESTART IDENTITY" : ""}`;
}
