import type { Queryable } from "@/lib/pg/describe-session";
import { quoteIdent, quoteLiteral, quoteQualified } from "@/lib/pg/quote";
import { identitySql, type SequenceObject } from "./sequences";
import type { Selection } from "./selection";

/** What a selected table's column gets beyond its type: a default or an identity. */
export interface ColumnExtra {
  tableOid: number;
  column: string;
  /** Default expression with sequence names already pointing at the target. */
  defaultExpression: string | null;
  identity: "always" | "by default" | null;
}

/**
 * Defaults and identities of the selected tables' own columns (partitions inherit them). Must run
 * inside withCatalogSearchPath, so function and sequence names in defaults come back qualified.
 */
export async function readColumnExtras(client: Queryable, selection: Selection, sequences: SequenceObject[]): Promise<ColumnExtra[]> {
  const roots = selection.relations.filter((r) => r.parentOid === null).map((r) => r.oid);
  const { rows } = await client.query<{ table_oid: number; name: string; expr: string | null; identity: string }>(
    `SELECT a.attrelid::int AS table_oid, a.attname AS name, pg_get_expr(d.adbin, d.adrelid) AS expr, a.attidentity::text AS identity
       FROM pg_attribute a
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        AND (d.oid IS NOT NULL OR a.attidentity <> '')
      ORDER BY a.attrelid, a.attnum`,
    [roots],
  );
  return rows.map((row) => ({
    tableOid: row.table_oid,
    column: row.name,
    defaultExpression: row.expr === null ? null : retargetSequences(row.expr, sequences),
    identity: row.identity === "a" ? "always" : row.identity === "d" ? "by default" : null,
  }));
}

/** Points `nextval('schema.seq'::regclass)` and the like at the sequence's target name. */
export function retargetSequences(expression: string, sequences: SequenceObject[]): string {
  let result = expression;
  for (const sequence of sequences) {
    const target = quoteLiteral(quoteQualified(sequence.target.schema, sequence.target.name));
    result = result.replaceAll(`${sequence.printedLiteral}::regclass`, `${target}::regclass`);
  }
  return result;
}

/** ALTER TABLE statements that give `table` (quoted target name) the column's default or identity. */
export function columnExtraSql(table: string, extra: ColumnExtra, sequences: SequenceObject[]): string[] {
  const column = quoteIdent(extra.column);
  if (extra.identity) {
    const sequence = sequences.find((s) => s.owner?.kind === "identity" && s.owner.tableOid === extra.tableOid && s.owner.column === extra.column);
    const clause = sequence ? identitySql(sequence, extra.identity) : `ADD GENERATED ${extra.identity === "always" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY`;
    return [`ALTER TABLE ${table} ALTER COLUMN ${column} ${clause}`];
  }
  return extra.defaultExpression === null ? [] : [`ALTER TABLE ${table} ALTER COLUMN ${column} SET DEFAULT ${extra.defaultExpression}`];
}
