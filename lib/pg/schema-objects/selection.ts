import type { Queryable } from "@/lib/pg/describe-session";
import { NameMap, type RelationName } from "./name-map";

/** A selected table or one of its partitions, as the source knows it. */
export interface SelectedRelation {
  oid: number;
  source: RelationName;
  /** The name as PostgreSQL prints it in definitions under search_path = pg_catalog (quote_ident, qualified). */
  printed: string;
  partitioned: boolean;
  /** For a partition: its parent's oid, and its bound (`FOR VALUES …` or `DEFAULT`). */
  parentOid: number | null;
  bound: string | null;
  /** For a partitioned table: `RANGE (created_at)` as pg_get_partkeydef prints it. */
  partitionKey: string | null;
  /** The selected table this relation belongs to (itself for a selected table). */
  rootOid: number;
}

/** The selected tables, their partitions, and where everything goes on the target. */
export interface Selection {
  relations: SelectedRelation[];
  names: NameMap;
  byOid: Map<number, SelectedRelation>;
}

/**
 * Reads the selected tables and every partition below them (recursively), roots first, each parent
 * before its partitions. A table mapped with `flatten` is read as one ordinary table: the target gets
 * no partitions, and its indexes and constraints are built on that one table. Must run inside
 * withCatalogSearchPath. Throws when a table does not exist.
 */
export async function readSelection(client: Queryable, mapping: { source: RelationName; target: RelationName; flatten?: boolean }[]): Promise<Selection> {
  const relations: SelectedRelation[] = [];
  // One query for every selected table (a query per table cost more than the reads themselves).
  const { rows: all } = await client.query<{ ord: number; oid: number; schema: string; name: string; printed: string; relkind: string; parent: number | null; bound: string | null; partkey: string | null; level: number }>(
    `WITH root AS (
       SELECT r.ord, c0.oid FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(schema, name, ord)
         JOIN pg_namespace n0 ON n0.nspname = r.schema
         JOIN pg_class c0 ON c0.relnamespace = n0.oid AND c0.relname = r.name
     )
     SELECT root.ord::int AS ord, c.oid::int AS oid, n.nspname AS schema, c.relname AS name,
            quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS printed, c.relkind::text AS relkind,
            t.parentrelid::int AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound,
            CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey, t.level
       FROM root
       CROSS JOIN LATERAL (
         -- pg_partition_tree lists nothing for a table that is not partitioned.
         SELECT relid, parentrelid, level FROM pg_partition_tree(root.oid)
         UNION ALL SELECT root.oid, NULL, 0 WHERE NOT EXISTS (SELECT 1 FROM pg_partition_tree(root.oid))
       ) t
       JOIN pg_class c ON c.oid = t.relid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      ORDER BY root.ord, t.level, n.nspname, c.relname`,
    [mapping.map((m) => m.source.schema), mapping.map((m) => m.source.name)],
  );
  for (const [index, m] of mapping.entries()) {
    const rows = all.filter((row) => row.ord === index + 1);
    if (rows.length === 0) throw new Error(`table ${m.source.schema}.${m.source.name} does not exist on the source`);
    const rootOid = rows[0].oid;
    for (const row of m.flatten ? rows.slice(0, 1) : rows) {
      relations.push({
        oid: row.oid,
        source: { schema: row.schema, name: row.name },
        printed: row.printed,
        partitioned: row.relkind === "p" && !m.flatten,
        parentOid: row.level === 0 ? null : row.parent,
        bound: row.level === 0 ? null : row.bound,
        partitionKey: m.flatten ? null : row.partkey,
        rootOid,
      });
    }
  }
  return { relations, names: new NameMap(mapping), byOid: new Map(relations.map((r) => [r.oid, r])) };
}

/** The oids of every selected relation, for `= ANY($1::oid[])`. */
export function selectedOids(selection: Selection): number[] {
  return selection.relations.map((r) => r.oid);
}
