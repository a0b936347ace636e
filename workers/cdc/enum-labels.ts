/**
 * New enum labels. `ALTER TYPE ... ADD VALUE` on the source is not replicated, so the first row
 * using a new label would fail on the target with "invalid input value for enum". Before a row
 * with enum values (or enum arrays) is queued, its labels are checked against a cache of the
 * target's labels; an unknown label makes pgferry read the type's labels from the source and add
 * the missing ones on the target, in the source's order (ADD VALUE ... BEFORE/AFTER a neighbour).
 *
 * The ADD VALUE runs on a separate autocommit connection: a label added in a transaction cannot be
 * used before that transaction commits, and the batch transaction is still open. Once it commits,
 * the batch transaction's next statements see it (READ COMMITTED reads the catalog afresh).
 */
import { quoteLiteral } from "@/lib/pg/quote";
import type { Tuple } from "@/lib/pg/pgoutput";
import { arrayLiteralElements } from "@/workers/cdc/array-literal";
import type { SchemaContext } from "@/workers/cdc/schema-context";
import type { PlanColumn, TablePlan } from "@/workers/cdc/apply-plan";

export class EnumLabels {
  /** Target enum type OID -> labels known to exist there. */
  private readonly known = new Map<number, Set<string>>();
  /** Labels the source does not have either: checked once, then left to fail with a clear error. */
  private readonly hopeless = new Set<string>();

  constructor(private readonly ctx: SchemaContext) {}

  /** Loads the target labels of the plan's enum types (once per type). */
  async load(plan: TablePlan): Promise<void> {
    const missing = [...new Set(plan.enumColumns.map((column) => column.enumOid!))].filter((oid) => !this.known.has(oid));
    if (!missing.length) return;
    const result = await this.ctx.apply.query<{ oid: number; label: string }>(
      "SELECT enumtypid::int AS oid, enumlabel::text AS label FROM pg_catalog.pg_enum WHERE enumtypid = ANY ($1::oid[])",
      [missing],
    );
    for (const oid of missing) this.known.set(oid, new Set());
    for (const row of result.rows) this.known.get(row.oid)!.add(row.label);
  }

  /** Makes sure every enum label in `tuple` exists on the target. Fast when they all do. */
  async ensure(plan: TablePlan, tuple: Tuple): Promise<void> {
    for (const column of plan.enumColumns) {
      const value = tuple[column.index];
      if (typeof value !== "string") continue;
      const labels = column.enumArray ? arrayLiteralElements(value) : [value];
      const known = this.known.get(column.enumOid!)!;
      for (const label of labels) {
        if (known.has(label) || this.hopeless.has(`${column.enumOid}:${label}`)) continue;
        await this.addFromSource(column, label);
      }
    }
  }

  private async addFromSource(column: PlanColumn, wanted: string): Promise<void> {
    const { ctx } = this;
    const targetOid = column.enumOid!;
    const sourceLabels = await this.sourceLabels(column.sourceTypeOid);
    if (!sourceLabels.includes(wanted)) {
      this.hopeless.add(`${targetOid}:${wanted}`);
      return;
    }
    const side = await ctx.side();
    const target = await side.query<{ name: string; labels: string[] }>(
      `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.typname) AS name,
              array(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1`,
      [targetOid],
    );
    const { name, labels } = target.rows[0];
    const present = new Set(labels);
    const added: string[] = [];
    sourceLabels.forEach((label, i) => {
      if (present.has(label)) return;
      const after = sourceLabels.slice(0, i).reverse().find((l) => present.has(l));
      const before = after === undefined ? sourceLabels.slice(i + 1).find((l) => present.has(l)) : undefined;
      const position = after !== undefined ? ` AFTER ${quoteLiteral(after)}` : before !== undefined ? ` BEFORE ${quoteLiteral(before)}` : "";
      added.push(`ALTER TYPE ${name} ADD VALUE IF NOT EXISTS ${quoteLiteral(label)}${position}`);
      present.add(label);
    });
    // One statement at a time: ADD VALUE cannot share a transaction with a use of the label, and
    // each must see the previous one to place its neighbour.
    for (const sql of added) await side.query(sql);
    const known = this.known.get(targetOid)!;
    for (const label of present) known.add(label);
    ctx.info(`Added ${added.length} new enum label(s) to ${name} on the target, as on the source.`, {
      type: name,
      labels: sourceLabels.filter((label) => !labels.includes(label)),
    });
  }

  /** Labels of the enum behind a source column type (enum, array of enum, or domain over either), in order. */
  private async sourceLabels(typeOid: number): Promise<string[]> {
    const result = await this.ctx.source.query<{ labels: string[] | null }>(
      `WITH RECURSIVE chain(oid, depth) AS (
         SELECT $1::oid, 0
         UNION ALL
         SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END, c.depth + 1
           FROM chain c JOIN pg_catalog.pg_type t ON t.oid = c.oid
          WHERE t.typtype <> 'e' AND c.depth < 4 AND (t.typtype = 'd' OR t.typcategory = 'A')
       )
       SELECT array(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
         FROM chain c JOIN pg_catalog.pg_type t ON t.oid = c.oid
        WHERE t.typtype = 'e'
        LIMIT 1`,
      [typeOid],
    );
    return result.rows[0]?.labels ?? [];
  }
}
