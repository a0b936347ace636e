import type { MirrorCreateInput } from "@/lib/mirrors/input";
import type { MirrorMode } from "@/lib/mirrors/status";
import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import type { PeerTable, TableListing } from "@/lib/pg/introspect/tables";
import { quoteQualified } from "@/lib/pg/quote";
import type { TargetTableInfo } from "@/lib/web/peers/target-tables";
import { formatCount } from "@/components/format";

/**
 * The table picker's state and rules, kept out of React so that they stay cheap with thousands
 * of tables: a selection is a set of keys plus edits for the few tables the user changed.
 */

/** The key of a source table: its qualified name as the API takes it ("schema.table", quoted where needed). */
export function tableKey(table: { schema: string; name: string }): string {
  return formatQualifiedName({ schema: table.schema, name: table.name });
}

/** What the user changed about one table; "" in a name means "same as the source". */
export interface TableEdit {
  targetSchema?: string;
  targetName?: string;
  excludeColumns?: readonly string[];
  /** A partitioned table: create one ordinary target table instead of the same partitions. */
  flatten?: boolean;
}

export interface PickerSelection {
  selected: ReadonlySet<string>;
  edits: ReadonlyMap<string, TableEdit>;
}

export const EMPTY_SELECTION: PickerSelection = { selected: new Set(), edits: new Map() };

/**
 * Why a table cannot be mirrored in this mode, in words that say what to do; null when it can.
 * The CDC rule is the server's (lib/web/mirrors/create.ts): PostgreSQL refuses UPDATE and DELETE on a
 * published table unless its replica identity is a primary key, an index or FULL.
 */
export function unavailableReason(table: PeerTable, mode: MirrorMode): string | null {
  const sql = quoteQualified(table.schema, table.name);
  if (!table.canSelect) return `pgferry's user may not read this table. Run GRANT SELECT ON ${sql} TO the peer's user.`;
  if (mode !== "cdc") return null;
  if (table.unlogged) return `Unlogged tables are not written to WAL, so their changes can't be replicated. Run ALTER TABLE ${sql} SET LOGGED or choose initial copy only.`;
  if (table.replicaIdentity === "nothing") {
    return `Replica identity is NOTHING: updates and deletes can't be replicated. Run ALTER TABLE ${sql} REPLICA IDENTITY ${table.primaryKey.length ? "DEFAULT" : "FULL"} or choose initial copy only.`;
  }
  if (table.replicaIdentity === "default" && table.primaryKey.length === 0) {
    return `No primary key and replica identity is not FULL: updates and deletes can't be replicated. Run ALTER TABLE ${sql} REPLICA IDENTITY FULL or choose initial copy only.`;
  }
  return null;
}

/** Tables grouped by schema, schemas and tables in the listing's (alphabetical) order. */
export function groupBySchema(tables: readonly PeerTable[]): Map<string, PeerTable[]> {
  const groups = new Map<string, PeerTable[]>();
  for (const table of tables) {
    const list = groups.get(table.schema);
    if (list) list.push(table);
    else groups.set(table.schema, [table]);
  }
  return groups;
}

/** Case-insensitive substring match on "schema.table" (unquoted), so "sales.ord" finds sales.orders. */
export function matchesSearch(table: PeerTable, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return `${table.schema}.${table.name}`.toLowerCase().includes(q) || tableKey(table).toLowerCase().includes(q);
}

export function withSelected(selection: PickerSelection, keys: Iterable<string>, selected: boolean): PickerSelection {
  const next = new Set(selection.selected);
  for (const key of keys) {
    if (selected) next.add(key);
    else next.delete(key);
  }
  return { ...selection, selected: next };
}

export function withEdit(selection: PickerSelection, key: string, patch: TableEdit): PickerSelection {
  const edits = new Map(selection.edits);
  edits.set(key, { ...edits.get(key), ...patch });
  return { selected: new Set(selection.selected).add(key), edits };
}

export function withColumnToggled(selection: PickerSelection, key: string, column: string): PickerSelection {
  const excluded = selection.edits.get(key)?.excludeColumns ?? [];
  const next = excluded.includes(column) ? excluded.filter((c) => c !== column) : [...excluded, column];
  return withEdit(selection, key, { excludeColumns: next });
}

/** Drops selected tables that the mode does not allow; returns their keys so the form can say so. */
export function pruneUnavailable(selection: PickerSelection, listing: TableListing, mode: MirrorMode): { selection: PickerSelection; removed: string[] } {
  const removed = listing.tables.filter((t) => selection.selected.has(tableKey(t)) && unavailableReason(t, mode) !== null).map(tableKey);
  return removed.length ? { selection: withSelected(selection, removed, false), removed } : { selection, removed };
}

/**
 * The create body's `tables`, in the listing's order. `target` is sent only when it differs from
 * the source, `excludeColumns` only when not empty and `flatten` only when set on a partitioned
 * table, so the mirror's stored mapping stays minimal.
 */
export function toCreateTables(listing: TableListing, selection: PickerSelection): { tables: NonNullable<MirrorCreateInput["tables"]>; keys: string[] } {
  const tables: NonNullable<MirrorCreateInput["tables"]> = [];
  const keys: string[] = [];
  for (const table of listing.tables) {
    const key = tableKey(table);
    if (!selection.selected.has(key)) continue;
    const edit = selection.edits.get(key);
    // Not trimmed: PostgreSQL names may begin or end with spaces, and the user may mean them.
    const target = formatQualifiedName({ schema: edit?.targetSchema || table.schema, name: edit?.targetName || table.name });
    const known = new Set(table.columns.map((c) => c.name));
    const exclude = (edit?.excludeColumns ?? []).filter((c) => known.has(c) && !table.primaryKey.includes(c));
    const flatten = edit?.flatten === true && table.kind === "partitioned";
    tables.push({ source: key, ...(target !== key ? { target } : {}), ...(exclude.length ? { excludeColumns: exclude } : {}), ...(flatten ? { flatten } : {}) });
    keys.push(key);
  }
  return { tables, keys };
}

/** The target peer's tables by qualified name ("schema.table" as tableKey spells it); null while unknown. */
export type TargetIndex = ReadonlyMap<string, TargetTableInfo> | null;

export function indexTargetTables(tables: readonly TargetTableInfo[] | null): TargetIndex {
  return tables ? new Map(tables.map((t) => [tableKey(t), t])) : null;
}

/** The key of the table `table` would be copied into, after the user's edits. */
export function targetKeyOf(table: { schema: string; name: string }, edit: TableEdit | undefined): string {
  return tableKey({ schema: edit?.targetSchema || table.schema, name: edit?.targetName || table.name });
}

/**
 * What is at a table's target, in a few words ("new table", "exists, empty", "exists, 1,204 rows"),
 * and, when the create would be refused, why (the server's rules: lib/mirrors/target-check.ts for
 * rows, lib/web/mirrors/target-refusal.ts for another mirror). Undefined info: the table is absent.
 * `ownMirror`: the mirror being edited, whose own target tables are its work, not a conflict.
 */
export function describeTarget(info: TargetTableInfo | undefined, ownMirror?: string): { text: string; problem: string | null } {
  const rows = !info?.exists ? "" : info.rows === null ? "has rows" : info.rows === 0 ? "empty" : `${info.exact ? "" : "≈"}${formatCount(info.rows)} ${info.rows === 1 ? "row" : "rows"}`;
  const text = info?.exists ? `exists, ${rows}` : "new table";
  if (ownMirror !== undefined && info?.ownedBy === ownMirror) return { text: `${text}, written by this mirror`, problem: null };
  if (info?.ownedBy) return { text, problem: `Mirror ${info.ownedBy} already writes this target table: map to another table.` };
  if (info?.exists && info.rows !== 0) return { text, problem: `Target table ${rows === "has rows" ? "already has rows" : `already has ${rows}`}: truncate it or map to another table.` };
  return { text, problem: null };
}
