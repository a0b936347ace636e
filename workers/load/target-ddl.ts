import { formatQualifiedName, type QualifiedName, type TableMapping } from "@/lib/mirrors/table-mapping";
import { describeTables, type SourceDescription } from "@/lib/pg/describe";
import type { Queryable } from "@/lib/pg/describe-session";
import { serverVersionNum } from "@/lib/pg/describe-session";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";
import { buildTablePlans, type TableLoadPlan } from "@/lib/mirrors/table-plan";
import { existingTargetTables, findTargetProblems, type TargetCheckOptions, targetKey, throwIfProblems } from "@/lib/mirrors/target-check";
import { ensureTargetTypes } from "@/lib/pg/target-types";
import { applyPreData, createPartitions, ensurePreDataExtensions, partitionClause, type PreData, readPreData } from "@/workers/schema/pre-data";

export { checkTargetTables, findTargetProblems, type TargetCheckOptions } from "@/lib/mirrors/target-check";

/**
 * Creating the target tables of an initial load (pg_dump's pre-data): extensions, schemas, user
 * types, then tables with the source's exact column types, NOT NULL, generated columns and the
 * primary key, partitioned tables with their partitions, sequences, functions, defaults and
 * identities (workers/schema/pre-data.ts). Indexes, other constraints, triggers and views are
 * post-data (workers/schema/post-data.ts): they would slow the load down.
 */

export interface EnsureTargetOptions extends TargetCheckOptions {
  /**
   * Create new tables without their primary key; ensurePrimaryKeys adds it once every partition
   * is copied. Loading into a table without an index and building the index once at the end is
   * faster (what pg_dump does); CDC needs the key, so add it before CDC starts. Default: false.
   */
  deferPrimaryKey?: boolean;
  /**
   * The source's pre-data for the mapped tables (readPreData). Without it tables are created with
   * columns and primary key only, a partitioned source as one ordinary table. Default: none.
   */
  preData?: PreData;
}

export interface EnsureTargetResult {
  plans: TableLoadPlan[];
  created: QualifiedName[];
  /** Tables that existed already and passed the compatibility check. */
  existing: QualifiedName[];
  /** Things recreated only partly (e.g. a domain without its CHECK), for the mirror's log. */
  warnings: string[];
}

/**
 * Describes the source tables and creates whatever is missing on the target (see
 * ensureTargetTablesFor).
 */
export async function ensureTargetTables(
  source: Queryable,
  target: Queryable,
  mapping: TableMapping[],
  options: EnsureTargetOptions = {},
): Promise<EnsureTargetResult> {
  const description = await describeTables(source, mapping.map((m) => m.source));
  const preData = options.preData ?? (await readPreData(source, mapping));
  return ensureTargetTablesFor(target, description, buildTablePlans(description, mapping), { ...options, preData });
}

/**
 * Creates schemas, user types (adding missing enum labels to existing enums) and missing tables,
 * all in one transaction, after checking every existing table (findTargetProblems). Idempotent: a
 * second run finds everything in place and changes nothing; concurrent runs are serialised by an
 * advisory lock. Throws an Error naming each table/type at fault when the target is incompatible
 * (then nothing is created), or naming the table whose CREATE failed.
 * The target client must be idle.
 */
export async function ensureTargetTablesFor(
  target: Queryable,
  description: SourceDescription,
  plans: TableLoadPlan[],
  options: EnsureTargetOptions = {},
): Promise<EnsureTargetResult> {
  const version = await serverVersionNum(target);
  await target.query("BEGIN");
  try {
    // pg_catalog only: type texts and generated expressions from the source are fully qualified,
    // and must not resolve to same-named objects in the target's own search_path.
    await target.query("SET LOCAL search_path = pg_catalog");
    await target.query("SELECT pg_advisory_xact_lock(hashtext('pgferry'), hashtext('target-ddl'))");
    // Before the checks: a column type from an extension is then found instead of reported missing.
    const extensionProblems = options.preData ? await ensurePreDataExtensions(target, options.preData) : [];
    throwIfProblems(await findTargetProblems(target, description, plans, options));

    const schemas = new Set([...description.types.map((t) => t.schema), ...plans.map((p) => p.target.schema)]);
    for (const schema of [...schemas].sort()) await target.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    const warnings = [...extensionProblems, ...(await ensureTargetTypes(target, description.types))];

    const created: QualifiedName[] = [];
    const existing: QualifiedName[] = [];
    const there = await existingTargetTables(target, plans);
    for (const plan of plans) {
      if (there.has(targetKey(plan)) || created.some((t) => t.schema === plan.target.schema && t.name === plan.target.name)) {
        existing.push(plan.target);
        continue;
      }
      const virtualAsStored = version < 180000 && plan.columns.some((c) => c.generated?.kind === "virtual");
      if (virtualAsStored) warnings.push(`${formatQualifiedName(plan.target)}: virtual generated columns are created STORED (the target is older than PostgreSQL 18)`);
      const partitionBy = options.preData ? partitionClause(options.preData, plan.source) : null;
      try {
        await target.query(createTableSql(plan, version, { primaryKey: !options.deferPrimaryKey, partitionBy }));
      } catch (error) {
        throw new Error(`creating target table ${formatQualifiedName(plan.target)} failed: ${(error as Error).message}`, { cause: error });
      }
      if (options.preData) await createPartitions(target, options.preData, plan.source);
      created.push(plan.target);
    }
    if (options.preData) {
      const createdSources = plans.filter((p) => created.includes(p.target)).map((p) => p.source);
      // Functions that fail here (a body needing a view) are created again after the copy, and reported there.
      await applyPreData(target, options.preData, createdSources, []);
    }
    await target.query("COMMIT");
    return { plans, created, existing, warnings };
  } catch (error) {
    await target.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/**
 * CREATE TABLE for a plan: columns in source order with exact types and collations, NOT NULL, GENERATED ALWAYS AS
 * (same expression; VIRTUAL only where the target supports it), and the primary key; `partitionBy`
 * (e.g. `PARTITION BY RANGE (at)`) makes it a partitioned table, else it is an ordinary one.
 */
export function createTableSql(
  plan: TableLoadPlan,
  targetVersion = 180000,
  { primaryKey = true, partitionBy = null }: { primaryKey?: boolean; partitionBy?: string | null } = {},
): string {
  const lines = plan.columns.map((c) => {
    let line = `${quoteIdent(c.name)} ${c.type}`;
    if (c.collation) line += ` COLLATE ${c.collation}`;
    if (c.generated) {
      const kind = c.generated.kind === "virtual" && targetVersion >= 180000 ? "VIRTUAL" : "STORED";
      line += ` GENERATED ALWAYS AS (${c.generated.expression}) ${kind}`;
    }
    if (c.notNull) line += " NOT NULL";
    return line;
  });
  if (primaryKey && plan.primaryKey.length > 0) lines.push(`PRIMARY KEY (${plan.primaryKey.map(quoteIdent).join(", ")})`);
  return `CREATE TABLE ${quoteQualified(plan.target.schema, plan.target.name)} (\n  ${lines.join(",\n  ")}\n)${partitionBy ? ` ${partitionBy}` : ""}`;
}

/**
 * Adds the source's primary key to target tables that have none (see deferPrimaryKey).
 * Idempotent; tables without a source primary key are left alone. Throws PostgreSQL's error
 * (e.g. 23505 when the target holds duplicate keys), naming the table.
 */
export async function ensurePrimaryKeys(target: Queryable, plans: Pick<TableLoadPlan, "target" | "primaryKey">[]): Promise<void> {
  for (const plan of plans) {
    if (plan.primaryKey.length === 0) continue;
    const table = quoteQualified(plan.target.schema, plan.target.name);
    const { rows } = await target.query("SELECT 1 FROM pg_index WHERE indrelid = $1::regclass AND indisprimary", [table]);
    if (rows.length > 0) continue;
    try {
      // With the server's own maintenance_work_mem, as pg_dump's restore does: more is not faster
      // (PostgreSQL 15, 5,000,000 rows: 64 MB and 1 GB 1.5 s, 256 MB 1.8 s — each parallel
      // participant's share then just misses an in-memory sort), and the DBA chose that limit.
      await target.query(`ALTER TABLE ${table} ADD PRIMARY KEY (${plan.primaryKey.map(quoteIdent).join(", ")})`);
    } catch (error) {
      throw new Error(`adding the primary key to target table ${formatQualifiedName(plan.target)} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * Empties the target tables of `mapping` that exist (missing ones are ignored), in one statement.
 * For a clean restart of a load whose snapshot is gone: rows copied from the old snapshot must
 * not mix with the new one. Pair with clearMirrorBookkeeping. Idempotent.
 */
export async function truncateTargetTables(target: Queryable, mapping: Pick<TableMapping, "target">[]): Promise<void> {
  const names = mapping.map((m) => quoteQualified(m.target.schema, m.target.name));
  const { rows } = await target.query<{ exists: boolean }>("SELECT to_regclass(n) IS NOT NULL AS exists FROM unnest($1::text[]) WITH ORDINALITY AS t(n, ord) ORDER BY ord", [names]);
  const existing = names.filter((_, index) => rows[index].exists);
  if (existing.length > 0) await target.query(`TRUNCATE ${existing.join(", ")}`);
}
