import { type QualifiedName, type TableMapping, formatQualifiedName } from "@/lib/mirrors/table-mapping";
import { describeTables, type SourceDescription } from "@/lib/pg/describe";
import type { Queryable } from "@/lib/pg/describe-session";
import { withCatalogSearchPath } from "@/lib/pg/describe-session";
import { quoteQualified } from "@/lib/pg/quote";
import { leafOfPartitionKey, listDonePartitions } from "./target-bookkeeping";
import { buildTablePlans, type TableLoadPlan } from "./table-plan";
import { findTypeProblems } from "@/lib/pg/target-types";

/**
 * Checking what already exists on the target before a load writes to it.
 */

export interface TargetCheckOptions {
  /**
   * The mirror doing the load. A non-empty target table is accepted when this mirror's bookkeeping
   * shows it wrote partitions of that table (a resumed load); otherwise it must be empty.
   */
  mirror?: string;
}

/**
 * Validates the target for `mapping` without changing anything: every target table that already
 * exists must have every copied column with the source's exact type, no NOT NULL column without a
 * default that the load would leave empty, and no rows; types pgferry cannot create must exist.
 * Throws an Error listing every problem, each naming its table or type. Safe to call any time
 * (e.g. by the API before a mirror is created). Both clients must be idle.
 */
export async function checkTargetTables(
  source: Queryable,
  target: Queryable,
  mapping: TableMapping[],
  options: TargetCheckOptions = {},
): Promise<void> {
  throwIfProblems(problemMessages(await checkTargetTablesByTable(source, target, mapping, options)));
}

/** What checkTargetTables finds, by table: `tables[i]` are the problems of `mapping[i]`'s target table. */
export interface TargetProblems {
  /** Problems not of one table (types pgferry cannot create). */
  general: string[];
  tables: { source: QualifiedName; target: QualifiedName; problems: string[] }[];
}

/** checkTargetTables without the throw: every problem, by table, for a form to show at each table. */
export async function checkTargetTablesByTable(source: Queryable, target: Queryable, mapping: TableMapping[], options: TargetCheckOptions = {}): Promise<TargetProblems> {
  return checkDescribedTargetTables(target, await describeTables(source, mapping.map((m) => m.source)), mapping, options);
}

/** checkTargetTablesByTable for source tables already described (describeTables of `mapping`'s sources, in order). */
export async function checkDescribedTargetTables(target: Queryable, description: SourceDescription, mapping: TableMapping[], options: TargetCheckOptions = {}): Promise<TargetProblems> {
  const plans = buildTablePlans(description, mapping);
  return withCatalogSearchPath(target, () => findTargetProblemsByTable(target, description, plans, options));
}

/** Each problem as one message naming its table or type. */
function problemMessages({ general, tables }: TargetProblems): string[] {
  return [...general, ...tables.flatMap((t) => t.problems.map((p) => `target table ${formatQualifiedName(t.target)} (for ${formatQualifiedName(t.source)}) ${p}`))];
}

export function throwIfProblems(problems: string[]): void {
  if (problems.length > 0) throw new Error(`the target is not ready for this load: ${problems.join("; ")}`);
}

/**
 * The problems checkTargetTables reports, as messages. Must run with search_path = pg_catalog
 * (withCatalogSearchPath, or the DDL transaction) so type texts compare exactly.
 */
export async function findTargetProblems(
  target: Queryable,
  description: SourceDescription,
  plans: TableLoadPlan[],
  options: TargetCheckOptions = {},
): Promise<string[]> {
  return problemMessages(await findTargetProblemsByTable(target, description, plans, options));
}

/**
 * findTargetProblems by table; each table's problems do not name the table ("already contains rows; …").
 * Three catalog queries for any number of tables (relations, their columns, which hold rows).
 */
export async function findTargetProblemsByTable(
  target: Queryable,
  description: SourceDescription,
  plans: TableLoadPlan[],
  options: TargetCheckOptions = {},
): Promise<TargetProblems> {
  const general = await findTypeProblems(target, description.types);
  const resumable = options.mirror ? await leavesWithDonePartitions(target, options.mirror) : new Set<string>();
  const relations = await targetRelations(target, plans);
  const tableOids = [...new Set(relations.filter((r) => r && (r.relkind === "r" || r.relkind === "p")).map((r) => (r as TargetRelation).oid))];
  const columns = await targetColumns(target, tableOids);
  const mustBeEmpty = plans.map((plan, index) => {
    const relation = relations[index];
    const isResumable = plan.leaves.some((leaf) => resumable.has(JSON.stringify([leaf.schema, leaf.name])));
    return relation !== null && (relation.relkind === "r" || relation.relkind === "p") && !isResumable;
  });
  const withRows = await tablesWithRows(target, plans.filter((_, index) => mustBeEmpty[index]));
  const tables = plans.map((plan, index) => {
    const relation = relations[index];
    const problems = relation ? tableProblems(plan, relation, columns.get(relation.oid) ?? [], mustBeEmpty[index] && withRows.has(targetKey(plan))) : [];
    return { source: plan.source, target: plan.target, problems };
  });
  return { general, tables };
}

/** True when the target table of `plan` exists. */
export async function targetTableExists(target: Queryable, plan: Pick<TableLoadPlan, "target">): Promise<boolean> {
  return (await targetRelations(target, [plan]))[0] !== null;
}

/** Which of the plans' target tables exist, as targetKey(plan), in one query. */
export async function existingTargetTables(target: Queryable, plans: Pick<TableLoadPlan, "target">[]): Promise<Set<string>> {
  const relations = await targetRelations(target, plans);
  return new Set(plans.filter((_, index) => relations[index] !== null).map(targetKey));
}

/** A plan's target table as a map key. */
export function targetKey(plan: Pick<TableLoadPlan, "target">): string {
  return JSON.stringify([plan.target.schema, plan.target.name]);
}

interface TargetRelation {
  oid: number;
  relkind: string;
}

/** Each plan's target relation, in plan order; null where none exists. */
async function targetRelations(target: Queryable, plans: Pick<TableLoadPlan, "target">[]): Promise<(TargetRelation | null)[]> {
  if (plans.length === 0) return [];
  const { rows } = await target.query<{ oid: number | null; relkind: string | null }>(
    `SELECT c.oid::int AS oid, c.relkind::text AS relkind
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(schema, name, ord)
       LEFT JOIN pg_namespace n ON n.nspname = r.schema
       LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = r.name
      ORDER BY r.ord`,
    [plans.map((p) => p.target.schema), plans.map((p) => p.target.name)],
  );
  return rows.map((row) => (row.oid === null ? null : { oid: row.oid, relkind: row.relkind as string }));
}

interface TargetColumn {
  name: string;
  type: string;
  attgenerated: string;
  attnotnull: boolean;
  atthasdef: boolean;
}

async function targetColumns(target: Queryable, oids: number[]): Promise<Map<number, TargetColumn[]>> {
  const columns = new Map<number, TargetColumn[]>();
  if (oids.length === 0) return columns;
  const { rows } = await target.query<TargetColumn & { attrelid: number }>(
    `SELECT attrelid::int AS attrelid, attname AS name, format_type(atttypid, atttypmod) AS type,
            attgenerated::text AS attgenerated, attnotnull, atthasdef
       FROM pg_attribute WHERE attrelid = ANY($1::oid[]) AND attnum > 0 AND NOT attisdropped ORDER BY attrelid, attnum`,
    [oids],
  );
  for (const { attrelid, ...column } of rows) {
    const list = columns.get(attrelid) ?? [];
    columns.set(attrelid, list);
    list.push(column);
  }
  return columns;
}

/** The plans whose target table holds a row (targetKey), asked in one statement. */
async function tablesWithRows(target: Queryable, plans: TableLoadPlan[]): Promise<Set<string>> {
  const unique = [...new Map(plans.map((p) => [targetKey(p), p])).values()];
  if (unique.length === 0) return new Set();
  const probes = unique.map((plan, index) => `SELECT ${index} AS i WHERE EXISTS (SELECT 1 FROM ${quoteQualified(plan.target.schema, plan.target.name)})`);
  const { rows } = await target.query<{ i: number }>(probes.join("\nUNION ALL\n"));
  return new Set(rows.map((row) => targetKey(unique[row.i])));
}

function tableProblems(plan: TableLoadPlan, relation: TargetRelation, rows: TargetColumn[], hasRows: boolean): string[] {
  if (relation.relkind !== "r" && relation.relkind !== "p") return [`exists but is not a table (relkind ${relation.relkind})`];
  const existing = new Map(rows.map((r) => [r.name, r]));
  const problems: string[] = [];
  for (const column of plan.columns) {
    if (column.generated) continue; // computed on the target; not written by the load
    const there = existing.get(column.name);
    if (!there) problems.push(`has no column "${column.name}" (${column.type})`);
    else if (there.type !== column.type) problems.push(`column "${column.name}" is ${there.type} but the source has ${column.type}`);
    else if (there.attgenerated !== "") problems.push(`column "${column.name}" is generated on the target, so the load cannot write it`);
  }
  const copied = new Set(plan.copyColumns);
  for (const column of rows) {
    if (!copied.has(column.name) && column.attnotnull && !column.atthasdef && column.attgenerated === "") {
      problems.push(`column "${column.name}" is NOT NULL without a default and the load does not fill it`);
    }
  }
  if (hasRows) problems.push("already contains rows; the initial load needs an empty table (truncate it or map to another table)");
  return problems;
}

/** Leaves (as JSON [schema, name]) that the mirror's bookkeeping shows partitions of. */
async function leavesWithDonePartitions(target: Queryable, mirror: string): Promise<Set<string>> {
  const done = await listDonePartitions(target, mirror);
  const leaves = new Set<string>();
  for (const d of done) {
    const leaf = leafOfPartitionKey(d.partitionKey);
    if (leaf) leaves.add(JSON.stringify([leaf.schema, leaf.name]));
  }
  return leaves;
}
