import { type PickerSelection, pruneUnavailable, type TableEdit, toCreateTables, withSelected } from "@/components/mirrors/table-picker-model";
import type { MirrorCreateInput } from "@/lib/mirrors/input";
import { parseQualifiedName } from "@/lib/mirrors/table-mapping";
import type { TableListing } from "@/lib/pg/introspect/tables";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";

/**
 * The Edit dialog's table list, kept out of React: the picker's selection for the mirror as it is,
 * what the user changed, and the PATCH body's `tables` (the full new list, in the create shape).
 */

type Mirror = Pick<MirrorDetail, "mode" | "tables">;
type RequestTable = NonNullable<MirrorCreateInput["tables"]>[number];

/** The tables the mirror still drives (a removed table stays listed as history). */
export function activeTables(mirror: Pick<MirrorDetail, "tables">): MirrorTableView[] {
  return mirror.tables.filter((t) => t.status !== "removed");
}

/** The mirror's tables ticked, each with its current mapping as picker edits, so sending it back changes nothing. */
export function currentSelection(mirror: Pick<MirrorDetail, "tables">): PickerSelection {
  const selected = new Set<string>();
  const edits = new Map<string, TableEdit>();
  for (const table of activeTables(mirror)) {
    selected.add(table.source);
    const edit: TableEdit = {};
    if (table.target !== table.source) {
      const target = parseQualifiedName(table.target);
      edit.targetSchema = target.schema;
      edit.targetName = target.name;
    }
    if (table.excludeColumns.length > 0) edit.excludeColumns = table.excludeColumns;
    if (table.flatten) edit.flatten = true;
    if (Object.keys(edit).length > 0) edits.set(table.source, edit);
  }
  return { selected, edits };
}

/**
 * What the selection changes: tables added (only those the mode can mirror, when the listing is known)
 * and removed, and whether the table list must be sent at all. `changed` may be true for an edit the
 * user typed and took back; sending the same mapping again is harmless.
 */
export function tableChanges(mirror: Mirror, selection: PickerSelection, listing: TableListing | null = null): { added: string[]; removed: string[]; changed: boolean } {
  const current = activeTables(mirror).map((t) => t.source);
  const currentKeys = new Set(current);
  const picked = listing ? pruneUnavailable(selection, listing, mirror.mode).selection.selected : selection.selected;
  const added = [...picked].filter((key) => !currentKeys.has(key));
  const removed = current.filter((key) => !selection.selected.has(key));
  const before = currentSelection(mirror).edits;
  const remapped = current.some((key) => selection.selected.has(key) && JSON.stringify(selection.edits.get(key) ?? {}) !== JSON.stringify(before.get(key) ?? {}));
  return { added, removed, changed: added.length > 0 || removed.length > 0 || remapped };
}

/**
 * The PATCH body's `tables` and, in the same order, their picker keys (to place the server's
 * `tables.<i>` errors on their rows). New tables that the mode cannot mirror are left out as in the
 * create form; the mirror's own tables stay while ticked, even when the picker now disables them or
 * the source no longer lists them: leaving a table out removes it, which only the user may decide.
 */
export function tablesBody(mirror: Mirror, listing: TableListing, selection: PickerSelection): { tables: RequestTable[]; keys: string[] } {
  const current = activeTables(mirror);
  const ticked = current.filter((t) => selection.selected.has(t.source));
  const pruned = pruneUnavailable(selection, listing, mirror.mode).selection;
  const { tables, keys } = toCreateTables(listing, withSelected(pruned, ticked.map((t) => t.source), true));
  const listed = new Set(keys);
  for (const table of ticked) {
    if (listed.has(table.source)) continue;
    tables.push({ source: table.source, target: table.target, excludeColumns: table.excludeColumns, flatten: table.flatten });
    keys.push(table.source);
  }
  return { tables, keys };
}
