import type { Queryable } from "@/lib/pg/describe-session";
import { quoteQualified } from "@/lib/pg/quote";
import { type RelationName, replaceAfter } from "./name-map";
import type { Selection } from "./selection";

/** A secondary index (not one behind a primary key, unique or exclusion constraint). */
export interface IndexObject {
  oid: number;
  name: string;
  tableOid: number;
  /** Where the index lives on the target (its table's schema). */
  target: RelationName;
  /** CREATE INDEX on the target table; null when the definition could not be retargeted. */
  sql: string | null;
  /** For an index of a partition: the partitioned index it is attached to. */
  parentOid: number | null;
  /** Source table size in bytes: larger ones are built first. */
  tableBytes: number;
}

/**
 * Secondary indexes of the selected tables, their partitions and `extraRelations` (materialized
 * views: name maps to itself). Must run inside withCatalogSearchPath.
 */
export async function readIndexes(client: Queryable, selection: Selection, extraRelations: { oid: number; source: RelationName; printed: string }[] = []): Promise<IndexObject[]> {
  const relations = [
    ...selection.relations.map((r) => ({ oid: r.oid, printed: r.printed, target: selection.names.object(r.source) })),
    ...extraRelations.map((r) => ({ oid: r.oid, printed: r.printed, target: r.source })),
  ];
  const { rows } = await client.query<{ oid: number; name: string; table_oid: number; def: string; parent: number | null; bytes: string }>(
    `SELECT i.indexrelid::int AS oid, ic.relname AS name, i.indrelid::int AS table_oid, pg_get_indexdef(i.indexrelid) AS def,
            (SELECT inhparent::int FROM pg_inherits WHERE inhrelid = i.indexrelid) AS parent,
            pg_total_relation_size(i.indrelid)::text AS bytes
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = ANY($1::oid[]) AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
      ORDER BY i.indexrelid`,
    [relations.map((r) => r.oid)],
  );
  const byOid = new Map(relations.map((r) => [r.oid, r]));
  const indexOids = new Set(rows.map((r) => r.oid));
  return rows.map((row) => {
    const table = byOid.get(row.table_oid) as (typeof relations)[number];
    return {
      oid: row.oid,
      name: row.name,
      tableOid: row.table_oid,
      target: { schema: table.target.schema, name: row.name },
      sql: retargetIndexDef(row.def, table.printed, quoteQualified(table.target.schema, table.target.name), selection.byOid.get(row.table_oid)?.partitioned !== false),
      // A partition's copy of a constraint's index comes with the constraint, not as its own index.
      parentOid: row.parent !== null && indexOids.has(row.parent) ? row.parent : null,
      tableBytes: Number(row.bytes),
    };
  }).filter((index) => !(rows.find((r) => r.oid === index.oid)?.parent !== null && index.parentOid === null));
}

/**
 * `CREATE INDEX … ON [ONLY] <source table> USING …` with the target table instead; null when the text
 * is not as expected. `only: false` drops ONLY, for a partitioned source table flattened into an
 * ordinary one (whose index must be built, not created empty for partitions to attach to).
 */
export function retargetIndexDef(definition: string, printedTable: string, targetTable: string, only = true): string | null {
  const onOnly = replaceAfter(definition, " ON ONLY ", `${printedTable} USING `, `${targetTable} USING `);
  if (onOnly !== null) return only ? onOnly : onOnly.replace(` ON ONLY ${targetTable} USING `, () => ` ON ${targetTable} USING `);
  return replaceAfter(definition, " ON ", `${printedTable} USING `, `${targetTable} USING `);
}

/** Whether a relation (index, view, table) of that name exists on the target. */
export async function relationExists(target: Queryable, name: RelationName): Promise<boolean> {
  const { rows } = await target.query<{ found: boolean }>("SELECT pg_catalog.to_regclass($1) IS NOT NULL AS found", [quoteQualified(name.schema, name.name)]);
  return rows[0].found;
}

/** ALTER INDEX parent ATTACH PARTITION child, both in their target schemas. */
export function attachIndexSql(parent: RelationName, child: RelationName): string {
  return `ALTER INDEX ${quoteQualified(parent.schema, parent.name)} ATTACH PARTITION ${quoteQualified(child.schema, child.name)}`;
}
