import type { Queryable } from "@/lib/pg/describe-session";
import { quoteLiteral } from "@/lib/pg/quote";

/** A comment on a source object: the catalog it lives in, the object's oid and, for a column, its name. */
export interface SourceComment {
  catalog: "pg_class" | "pg_constraint" | "pg_trigger" | "pg_proc";
  objectOid: number;
  /** Column name for a column comment; null for the object itself. */
  column: string | null;
  text: string;
}

/**
 * Comments on the given objects (relations with their columns, constraints, triggers, functions).
 * Read-only; any search_path.
 */
export async function readComments(client: Queryable, oids: { relations: number[]; constraints: number[]; triggers: number[]; functions: number[] }): Promise<SourceComment[]> {
  const { rows } = await client.query<{ catalog: SourceComment["catalog"]; oid: number; column: string | null; text: string }>(
    `SELECT d.classoid::regclass::text AS catalog, d.objoid::int AS oid, a.attname AS column, d.description AS text
       FROM pg_catalog.pg_description d
       LEFT JOIN pg_catalog.pg_attribute a ON d.classoid = 'pg_catalog.pg_class'::regclass AND a.attrelid = d.objoid AND a.attnum = d.objsubid AND d.objsubid > 0
      WHERE (d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid = ANY($1::oid[]))
         OR (d.classoid = 'pg_catalog.pg_constraint'::regclass AND d.objoid = ANY($2::oid[]))
         OR (d.classoid = 'pg_catalog.pg_trigger'::regclass AND d.objoid = ANY($3::oid[]))
         OR (d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objoid = ANY($4::oid[]))
      ORDER BY d.classoid, d.objoid, d.objsubid`,
    [oids.relations, oids.constraints, oids.triggers, oids.functions],
  );
  return rows.map((row) => ({ catalog: row.catalog.replace(/^pg_catalog\./, "") as SourceComment["catalog"], objectOid: row.oid, column: row.column, text: row.text }));
}

/** COMMENT ON <what> IS '<text>'; `what` is e.g. `TABLE "app"."orders"` or `COLUMN "app"."orders"."id"`. */
export function commentSql(what: string, text: string): string {
  return `COMMENT ON ${what} IS ${quoteLiteral(text)}`;
}
