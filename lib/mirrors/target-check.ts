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
  const description = await describeTables(source, mapping.map((m) => m.source));
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

/** findTargetProblems by table; each table's problems do not name the table ("already contains rows; …"). */
export async function findTargetProblemsByTable(
  target: Queryable,
  description: SourceDescription,
  plans: TableLoadPlan[],
  options: TargetCheckOptions = {},
): Promise<TargetProblems> {
  const general = await findTypeProblems(target, description.types);
  const resumable = options.mirror ? await leavesWithDonePartitions(target, options.mirror) : new Set<string>();
  const tables: TargetProblems["tables"] = [];
  for (const plan of plans) {
    const isResumable = plan.leaves.some((leaf) => resumable.has(JSON.stringify([leaf.schema, leaf.name])));
    tables.push({ source: plan.source, target: plan.target, problems: await tableProblems(target, plan, isResumable) });
  }
  return { general, tables };
}

/** True when the target table of `plan` exists. */
export async function targetTableExists(target: Queryable, plan: Pick<TableLoadPlan, "target">): Promise<boolean> {
  return (await targetRelation(target, plan)) !== null;
}

async function targetRelation(target: Queryable, plan: Pick<TableLoadPlan, "target">) {
  const { rows } = await target.query<{ oid: number; relkind: string }>(
    `SELECT c.oid::int AS oid, c.relkind::text AS relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [plan.target.schema, plan.target.name],
  );
  return rows[0] ?? null;
}

async function tableProblems(target: Queryable, plan: TableLoadPlan, resumable: boolean): Promise<string[]> {
  const relation = await targetRelation(target, plan);
  if (!relation) return [];
  if (relation.relkind !== "r" && relation.relkind !== "p") return [`exists but is not a table (relkind ${relation.relkind})`];

  const { rows } = await target.query<{ name: string; type: string; attgenerated: string; attnotnull: boolean; atthasdef: boolean }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attgenerated::text AS attgenerated,
            attnotnull, atthasdef
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [relation.oid],
  );
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
  if (!resumable) {
    const table = quoteQualified(plan.target.schema, plan.target.name);
    const { rows: data } = await target.query<{ has_rows: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS has_rows`);
    if (data[0].has_rows) problems.push("already contains rows; the initial load needs an empty table (truncate it or map to another table)");
  }
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
