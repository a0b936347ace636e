/**
 * Keeps the target's columns in step with the source's Relation messages. DDL is not replicated,
 * but pgoutput describes a table (Relation message) before the first change that uses its new
 * shape, which is when pgferry reconciles:
 *
 * - a new source column (not excluded) -> ALTER TABLE ... ADD COLUMN on the target, with the
 *   source's type, inside the batch transaction, before the rows that carry it. When the source
 *   filled existing rows from a constant default (a "fast default"), the target gets the same value.
 * - a column the source no longer sends (dropped or renamed) -> warning; the target keeps it.
 * - a column whose type differs from the target's -> warning with the ALTER to run.
 *
 * Nothing here crashes the stream for a difference it can live with; only a missing target table
 * or a type that cannot be created stops it (CdcSetupError with the fix).
 */
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import type { RelationColumn, RelationMessage } from "@/lib/pg/pgoutput";
import { quoteIdent, quoteLiteral } from "@/lib/pg/quote";
import { CdcSetupError, type SchemaContext } from "@/workers/cdc/schema-context";
import { buildPlan, type TablePlan } from "@/workers/cdc/apply-plan";
import { describeTargetTable, type TargetTable } from "@/workers/cdc/target-tables";

export class SchemaSync {
  /** Relation shapes already checked for type differences this run: relationId -> signature. */
  private readonly checked = new Map<number, string>();

  constructor(private readonly ctx: SchemaContext) {}

  /** Reconciles the target table with a Relation message and returns the apply plan for it. */
  async reconcile(relation: RelationMessage, mapping: TableMapping): Promise<TablePlan> {
    const { ctx } = this;
    await ctx.applier.flushRun();
    let target = await describeTargetTable(ctx.apply, mapping.target);
    if (!target) {
      throw new CdcSetupError(
        `Target table ${formatQualifiedName(mapping.target)} (for source ${relation.namespace}.${relation.name}) does not exist.`,
        "42P01",
        "Create the table on the target, or resync the table so pgferry creates it.",
      );
    }
    const excluded = new Set(mapping.excludeColumns);
    const missing = relation.columns.filter((column) => !excluded.has(column.name) && !target!.columns.has(column.name));
    if (missing.length) {
      for (const column of missing) await this.addColumn(relation, column, target);
      target = (await describeTargetTable(ctx.apply, mapping.target))!;
    }
    this.reportDropped(relation, mapping, target);
    await this.reportTypeChanges(relation, mapping, target, excluded);
    return buildPlan(relation, mapping, target);
  }

  private async addColumn(relation: RelationMessage, column: RelationColumn, target: TargetTable): Promise<void> {
    const { ctx } = this;
    const info = await ctx.source.query<{
      type: string;
      enum_oid: number | null;
      has_missing: boolean | null;
      default_expr: string | null;
    }>(
      `SELECT pg_catalog.format_type($2::oid, $3::int) AS type,
              CASE WHEN t.typtype = 'e' THEN t.oid WHEN e.typtype = 'e' THEN e.oid END::int AS enum_oid,
              a.atthasmissing AS has_missing,
              pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_expr
         FROM pg_catalog.pg_type t
         LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = $1::oid AND a.attname = $4 AND NOT a.attisdropped
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE t.oid = $2::oid`,
      [relation.relationId, column.typeOid, column.typeMod, column.name],
    );
    const row = info.rows[0];
    if (!row) {
      throw new CdcSetupError(
        `New column ${column.name} of ${relation.namespace}.${relation.name} has a type (oid ${column.typeOid}) that no longer exists on the source.`,
        "42704",
        "Add the column on the target by hand (ALTER TABLE ... ADD COLUMN) and restart the mirror.",
      );
    }
    await this.ensureTypeOnTarget(row.type, row.enum_oid, column, relation);

    // A fast default means the source filled existing rows with one constant value without
    // rewriting the table; replication carries none of it, so the target must do the same.
    let defaultValue: string | null = null;
    if (row.has_missing) {
      const missing = await ctx.source.query<{ value: string | null }>(
        `SELECT ((a.attmissingval::text)::${row.type}[])[1]::text AS value
           FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::oid AND a.attname = $2`,
        [relation.relationId, column.name],
      );
      defaultValue = missing.rows[0]?.value ?? null;
    } else if (row.default_expr !== null) {
      ctx.warnOnce(
        `volatile-default:${relation.relationId}:${column.name}`,
        `Column ${column.name} was added to ${relation.namespace}.${relation.name} with DEFAULT ${row.default_expr}, which the source computed row by row in a table rewrite that replication does not carry. ` +
          `Rows that existed before have NULL in it on the target. Resync the table to copy their values.`,
        { table: `${relation.namespace}.${relation.name}`, column: column.name },
      );
    }
    const columnSql = quoteIdent(column.name);
    await ctx.applier.execute(
      `ALTER TABLE ${target.sql} ADD COLUMN IF NOT EXISTS ${columnSql} ${row.type}` +
        (defaultValue !== null ? ` DEFAULT ${quoteLiteral(defaultValue)}::${row.type}` : ""),
    );
    // Existing rows keep the value; later rows always come with the source's own value.
    if (defaultValue !== null) await ctx.applier.execute(`ALTER TABLE ${target.sql} ALTER COLUMN ${columnSql} DROP DEFAULT`);
    ctx.info(`Added column ${column.name} ${row.type} to target table ${target.sql}, as on the source.`, {
      table: `${relation.namespace}.${relation.name}`,
      column: column.name,
      type: row.type,
      existingRowsValue: defaultValue,
    });
  }

  /** Creates a missing enum type on the target; any other missing type stops the stream with the fix. */
  private async ensureTypeOnTarget(typeName: string, enumOid: number | null, column: RelationColumn, relation: RelationMessage): Promise<void> {
    const { ctx } = this;
    const exists = await ctx.apply.query<{ ok: boolean }>("SELECT to_regtype($1) IS NOT NULL AS ok", [typeName]);
    if (exists.rows[0].ok) return;
    if (enumOid === null) {
      throw new CdcSetupError(
        `Column ${column.name} added to ${relation.namespace}.${relation.name} has type ${typeName}, which does not exist on the target.`,
        "42704",
        `Create type ${typeName} on the target as on the source, then restart the mirror.`,
      );
    }
    const source = await ctx.source.query<{ schema: string; name: string; labels: string[] }>(
      `SELECT n.nspname AS schema, t.typname AS name,
              array(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1`,
      [enumOid],
    );
    const { schema, name, labels } = source.rows[0];
    const qualified = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    await ctx.applier.execute(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await ctx.applier.execute(`CREATE TYPE ${qualified} AS ENUM (${labels.map(quoteLiteral).join(", ")})`);
    ctx.info(`Created enum type ${qualified} on the target for new column ${column.name}.`, { type: qualified, labels });
  }

  private reportDropped(relation: RelationMessage, mapping: TableMapping, target: TargetTable): void {
    const sent = new Set(relation.columns.map((column) => column.name));
    const excluded = new Set(mapping.excludeColumns);
    for (const column of target.columns.values()) {
      if (column.generated || sent.has(column.name) || excluded.has(column.name)) continue;
      this.ctx.warnOnce(
        `dropped:${target.sql}:${column.name}`,
        `The source no longer sends column ${column.name} of ${relation.namespace}.${relation.name} (dropped or renamed there). ` +
          `Target table ${target.sql} keeps it, and rows written from now on get NULL or its default there. ` +
          `If it was renamed, rename it on the target too (ALTER TABLE ${target.sql} RENAME COLUMN ${quoteIdent(column.name)} TO <new name>) and drop the column pgferry added; ` +
          `if it was dropped, drop it on the target (ALTER TABLE ${target.sql} DROP COLUMN ${quoteIdent(column.name)}) or keep it until cutover.`,
        { table: `${relation.namespace}.${relation.name}`, column: column.name },
      );
    }
  }

  /** Compares source and target column types (by resolved type and modifier); warns on differences. */
  private async reportTypeChanges(relation: RelationMessage, mapping: TableMapping, target: TargetTable, excluded: Set<string>): Promise<void> {
    const columns = relation.columns.filter((column) => !excluded.has(column.name) && target.columns.has(column.name));
    const signature = columns.map((column) => `${column.name}:${column.typeOid}:${column.typeMod}`).join(",");
    if (this.checked.get(relation.relationId) === signature || columns.length === 0) return;
    this.checked.set(relation.relationId, signature);
    const { ctx } = this;
    const names = await ctx.source.query<{ type: string }>(
      "SELECT pg_catalog.format_type(x.t, x.m) AS type FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS x(t, m, i) ORDER BY x.i",
      [columns.map((column) => column.typeOid), columns.map((column) => column.typeMod)],
    );
    const resolved = await ctx.apply.query<{ oid: number | null }>(
      "SELECT to_regtype(x.n)::oid::int AS oid FROM unnest($1::text[]) WITH ORDINALITY AS x(n, i) ORDER BY x.i",
      [names.rows.map((row) => row.type)],
    );
    columns.forEach((column, i) => {
      const targetColumn = target.columns.get(column.name)!;
      const sourceType = names.rows[i].type;
      if (resolved.rows[i].oid === targetColumn.typeOid && column.typeMod === targetColumn.typeMod) return;
      ctx.warnOnce(
        `type:${target.sql}:${column.name}:${sourceType}`,
        `Column ${column.name} of ${relation.namespace}.${relation.name} is ${sourceType} on the source but ${targetColumn.type} on target table ${target.sql}. ` +
          `Values are still applied as text cast to the target type, which fails if they do not fit. ` +
          `To match the source: ALTER TABLE ${target.sql} ALTER COLUMN ${quoteIdent(column.name)} TYPE ${sourceType} USING ${quoteIdent(column.name)}::${sourceType};`,
        { table: formatQualifiedName(mapping.source), column: column.name, sourceType, targetType: targetColumn.type },
      );
    });
  }
}
