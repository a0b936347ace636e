/**
 * How the changes of one source relation are written to its target table: which tuple positions
 * map to which target columns (with their cast types), and how rows are found for UPDATE/DELETE.
 */
import { formatQualifiedName, type QualifiedName, type TableMapping } from "@/lib/mirrors/table-mapping";
import type { RelationMessage } from "@/lib/pg/pgoutput";
import { quoteIdent } from "@/lib/pg/quote";
import type { TargetTable } from "@/workers/cdc/target-tables";

export interface PlanColumn {
  /** Position of the column in pgoutput tuples of this relation. */
  index: number;
  name: string;
  quoted: string;
  /** Target type to cast the source's text to. */
  cast: string;
  hasEquality: boolean;
  enumOid: number | null;
  enumArray: boolean;
  /** Type OID on the source, from the Relation message. */
  sourceTypeOid: number;
}

/**
 * "unique": the target has a primary key (or replica identity index) made of replicated columns;
 *   rows are found by it, and runs of changes become multi-row statements.
 * "match": no such key (REPLICA IDENTITY FULL source tables without a primary key); a row is found
 *   by comparing the source's replica identity columns, one statement per change, each touching
 *   exactly one row (ctid-limited) so duplicate rows are handled like the source did.
 */
export type KeyMode = "unique" | "match";

export interface TablePlan {
  relationId: number;
  relation: RelationMessage;
  source: QualifiedName;
  /** "schema.table" of the source, as the catalog and callbacks name tables. */
  sourceLabel: string;
  target: TargetTable;
  /** Replicated columns (not excluded, not generated on the target), in tuple order. */
  columns: PlanColumn[];
  keyMode: KeyMode;
  /** unique: the key columns; match: the source's replica identity columns. */
  key: PlanColumn[];
  /** unique mode: the replicated columns outside the key (what an UPDATE sets). */
  nonKey: PlanColumn[];
  enumColumns: PlanColumn[];
  /** Statement-cache namespace: changes whenever the plan does. */
  id: number;
}

let nextPlanId = 1;

/**
 * Builds the plan from a Relation message, its mapping and the target table as it is now.
 * Source columns missing on the target must have been added (or reported) before; they are left
 * out here.
 */
export function buildPlan(relation: RelationMessage, mapping: TableMapping, target: TargetTable): TablePlan {
  const excluded = new Set(mapping.excludeColumns);
  const columns: PlanColumn[] = [];
  const identity: PlanColumn[] = [];
  relation.columns.forEach((column, index) => {
    if (excluded.has(column.name)) return;
    const targetColumn = target.columns.get(column.name);
    if (!targetColumn || targetColumn.generated) return;
    const planColumn: PlanColumn = {
      index,
      name: column.name,
      quoted: quoteIdent(column.name),
      cast: targetColumn.type,
      hasEquality: targetColumn.hasEquality,
      enumOid: targetColumn.enumOid,
      enumArray: targetColumn.enumArray,
      sourceTypeOid: column.typeOid,
    };
    columns.push(planColumn);
    if (column.isKey) identity.push(planColumn);
  });
  const byName = new Map(columns.map((column) => [column.name, column]));
  const uniqueKey = target.uniqueKey?.map((name) => byName.get(name));
  const unique = uniqueKey && uniqueKey.every((column) => column !== undefined) ? (uniqueKey as PlanColumn[]) : null;
  const keyNames = new Set(unique?.map((column) => column.name) ?? []);
  return {
    relationId: relation.relationId,
    relation,
    source: mapping.source,
    sourceLabel: formatQualifiedName(mapping.source),
    target,
    columns,
    keyMode: unique ? "unique" : "match",
    key: unique ?? identity,
    nonKey: columns.filter((column) => !keyNames.has(column.name)),
    enumColumns: columns.filter((column) => column.enumOid !== null),
    id: nextPlanId++,
  };
}
