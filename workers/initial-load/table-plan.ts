import type { ColumnDescription, SourceDescription, TableDescription, UserType } from "@/lib/pg/describe";
import { type QualifiedName, type TableMapping, formatQualifiedName } from "@/lib/mirrors/table-mapping";

/**
 * One mapped table as the initial load sees it: the source description narrowed to the columns
 * that exist on the target. Plain data, so it can be stored with a job and used by any worker.
 */
export interface TableLoadPlan {
  source: QualifiedName;
  target: QualifiedName;
  /** Target columns in source order: every source column except the excluded ones. */
  columns: ColumnDescription[];
  /** Column names COPY reads and writes: `columns` minus generated columns. Same names on both sides. */
  copyColumns: string[];
  primaryKey: string[];
  /** Relations whose heaps hold the rows (the table, or its leaf partitions). */
  leaves: QualifiedName[];
  estimatedRows: number;
  /**
   * COPY format to start with: "binary" (fastest) unless a copied column is known to be
   * incompatible in binary between two servers (see binaryCopySafe); copyPartition still falls
   * back to text on its own when binary fails.
   */
  preferredFormat: "binary" | "text";
}

/**
 * Joins mappings with their source descriptions. Throws an Error naming the table when a mapping
 * cannot work: an excluded column that does not exist or is part of the primary key, nothing left
 * to copy, two mappings writing the same target table, or a table that was not described.
 */
export function buildTablePlans(description: SourceDescription, mapping: TableMapping[]): TableLoadPlan[] {
  const seenTargets = new Map<string, string>();
  return mapping.map((m) => {
    const table = findTable(description, m.source);
    const label = formatQualifiedName(m.source);
    const targetKey = JSON.stringify([m.target.schema, m.target.name]);
    const other = seenTargets.get(targetKey);
    if (other) {
      throw new Error(`${label} and ${other} are both mapped to target table ${formatQualifiedName(m.target)}`);
    }
    seenTargets.set(targetKey, label);

    const names = new Set(table.columns.map((c) => c.name));
    for (const excluded of m.excludeColumns) {
      if (!names.has(excluded)) throw new Error(`${label}: excluded column "${excluded}" does not exist`);
      if (table.primaryKey.includes(excluded)) {
        throw new Error(`${label}: column "${excluded}" is part of the primary key and cannot be excluded`);
      }
    }
    const excluded = new Set(m.excludeColumns);
    const columns = table.columns.filter((c) => !excluded.has(c.name));
    const copyColumns = columns.filter((c) => !c.generated).map((c) => c.name);
    if (copyColumns.length === 0) throw new Error(`${label}: no columns left to copy`);
    return {
      source: m.source,
      target: m.target,
      columns,
      copyColumns,
      primaryKey: table.primaryKey,
      leaves: table.leaves.map((l) => l.name),
      estimatedRows: table.estimatedRows,
      preferredFormat: columns.every((c) => c.generated || binaryCopySafe(c, description.types)) ? "binary" : "text",
    };
  });
}

function findTable(description: SourceDescription, name: QualifiedName): TableDescription {
  const table = description.tables.find((t) => t.name.schema === name.schema && t.name.name === name.name);
  if (!table) throw new Error(`${formatQualifiedName(name)} was not described; describe it before planning`);
  return table;
}

/**
 * Whether a column's binary COPY form can be read by another server. Arrays and composites embed
 * the type OIDs of their elements/attributes and the receiving server rejects OIDs that differ
 * from its own (42804 "wrong element type"); user types get different OIDs on every server, so
 * arrays of user types, composites, and domains over either are not portable in binary.
 */
export function binaryCopySafe(column: Pick<ColumnDescription, "isArray" | "userType">, types: UserType[]): boolean {
  if (!column.userType) return true;
  if (column.isArray || column.userType.kind === "composite") return false;
  if (column.userType.kind !== "domain") return true;
  const domain = types.find((t) => t.oid === column.userType!.oid);
  if (!domain || domain.kind !== "domain") return false;
  if (domain.baseType.endsWith("]")) return false;
  const base = types.find((t) => t.oid === domain.baseTypeOid);
  return !base || (base.kind !== "composite" && base.kind !== "domain");
}
