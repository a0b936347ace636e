import type { ColumnDescription, SourceDescription, TableDescription } from "@/lib/pg/describe";
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
}

/** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
const MAX_IDENTIFIER_BYTES = 63;

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

    for (const part of [m.target.schema, m.target.name]) {
      // PostgreSQL silently truncates longer identifiers, so the table would get another name.
      if (Buffer.byteLength(part, "utf8") > MAX_IDENTIFIER_BYTES) {
        throw new Error(`${label}: target name "${part}" is longer than ${MAX_IDENTIFIER_BYTES} bytes`);
      }
    }
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
    };
  });
}

function findTable(description: SourceDescription, name: QualifiedName): TableDescription {
  const table = description.tables.find((t) => t.name.schema === name.schema && t.name.name === name.name);
  if (!table) throw new Error(`${formatQualifiedName(name)} was not described; describe it before planning`);
  return table;
}
