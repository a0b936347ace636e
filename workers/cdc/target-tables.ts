import type pg from "pg";
import type { QualifiedName } from "@/lib/mirrors/table-mapping";
import { quoteQualified } from "@/lib/pg/quote";

/** A column of a target table, as the apply statements need it. */
export interface TargetColumn {
  name: string;
  /**
   * The column type as format_type prints it on the apply connection; used as the cast target for
   * the text the source sent (`$1::text[]` -> `::<type>`), so the target's input function parses it.
   */
  type: string;
  typeOid: number;
  typeMod: number;
  generated: boolean;
  /**
   * False for types whose `=` is missing or is not value equality (json, xml, geometric types):
   * row matching then compares their text forms instead.
   */
  hasEquality: boolean;
  /** The enum type behind the column (scalar, domain over enum, or array of enum); null otherwise. */
  enumOid: number | null;
  enumArray: boolean;
}

export interface TargetTable {
  name: QualifiedName;
  /** Quoted "schema"."table". */
  sql: string;
  columns: Map<string, TargetColumn>;
  /** Primary key column names in key order, else the replica identity index's; null when neither. */
  uniqueKey: string[] | null;
}

/** Types whose `=` is missing or compares something other than the value (area for box/circle). */
const NO_VALUE_EQUALITY = ["json", "xml", "point", "lseg", "line", "box", "path", "polygon", "circle"];

/**
 * Reads a target table's columns and key on `client` (the apply connection, so it sees columns its
 * own open transaction added). Resolves to null when the table does not exist.
 */
export async function describeTargetTable(client: pg.Client, name: QualifiedName): Promise<TargetTable | null> {
  const sql = quoteQualified(name.schema, name.name);
  const exists = await client.query<{ oid: number | null }>("SELECT to_regclass($1)::oid::int AS oid", [sql]);
  const oid = exists.rows[0].oid;
  if (oid === null) return null;
  const columns = await client.query<{
    name: string;
    type: string;
    type_oid: number;
    type_mod: number;
    generated: boolean;
    enum_oid: number | null;
    enum_array: boolean;
    base_name: string;
  }>(
    `SELECT a.attname AS name,
            pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
            a.atttypid::int AS type_oid,
            a.atttypmod AS type_mod,
            a.attgenerated <> '' AS generated,
            CASE WHEN b.typtype = 'e' THEN b.oid WHEN e.typtype = 'e' THEN e.oid END::int AS enum_oid,
            coalesce(e.typtype = 'e', false) AS enum_array,
            coalesce(e.oid, b.oid)::regtype::text AS base_name
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       JOIN pg_catalog.pg_type b ON b.oid = coalesce(nullif(t.typbasetype, 0), t.oid)
       LEFT JOIN pg_catalog.pg_type e ON e.oid = nullif(b.typelem, 0) AND b.typcategory = 'A'
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  const key = await client.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
      WHERE i.indrelid = $1
        AND i.indexrelid = (SELECT x.indexrelid FROM pg_catalog.pg_index x
                             WHERE x.indrelid = $1 AND (x.indisprimary OR x.indisreplident) AND x.indpred IS NULL
                             ORDER BY x.indisprimary DESC LIMIT 1)
      ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [oid],
  );
  return {
    name,
    sql,
    columns: new Map(
      columns.rows.map((row) => [
        row.name,
        {
          name: row.name,
          type: row.type,
          typeOid: row.type_oid,
          typeMod: row.type_mod,
          generated: row.generated,
          hasEquality: !NO_VALUE_EQUALITY.includes(row.base_name),
          enumOid: row.enum_oid,
          enumArray: row.enum_array,
        },
      ]),
    ),
    uniqueKey: key.rows.length ? key.rows.map((row) => row.name) : null,
  };
}
