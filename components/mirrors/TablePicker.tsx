"use client";

import { type Dispatch, type SetStateAction, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import type { MirrorMode } from "@/lib/mirrors/status";
import type { PeerTable, TableListing } from "@/lib/pg/introspect/tables";
import { formatCount } from "@/components/format";
import { describeTarget, groupBySchema, matchesSearch, type PickerSelection, tableKey, type TargetIndex, targetKeyOf, unavailableReason, withColumnToggled, withEdit, withSelected } from "./table-picker-model";
import { type RowActions, TablePickerRow } from "./TablePickerRow";
import { Ident } from "@/components/Ident";

/** Rows rendered per schema before "Show more": keeps a 1000-table schema quick to draw and to type into. */
export const ROWS_PER_PAGE = 200;
/** Schemas start open when the source has at most this many tables (or a single schema)… */
const OPEN_ALL_UP_TO = 500;
/** …and otherwise only the small ones, so a huge schema does not bury the rest. */
const OPEN_SCHEMA_UP_TO = 50;

interface Props {
  listing: TableListing;
  mode: MirrorMode;
  selection: PickerSelection;
  onChange: Dispatch<SetStateAction<PickerSelection>>;
  /** Errors from the server about particular tables, by table key. */
  rowErrors?: ReadonlyMap<string, string>;
  /** The target peer's tables; null while no target is chosen or its answer is pending. */
  targets?: TargetIndex;
  /** The mirror whose tables are being edited: the target tables it writes are not flagged. */
  ownMirror?: string;
}

/**
 * Chooses the source tables of a mirror: schemas with their tables (estimated rows, size, primary
 * key, replica identity), search, select all / per schema, target names and excluded columns.
 * Tables that the chosen mode cannot mirror are disabled with the reason on hover and in words.
 */
export function TablePicker({ listing, mode, selection, onChange, rowErrors, targets = null, ownMirror }: Props) {
  const [query, setQuery] = useState("");
  // Typing stays responsive: the filter over thousands of tables runs on the deferred value.
  const search = useDeferredValue(query);
  const groups = useMemo(() => groupBySchema(listing.tables), [listing]);
  const openAll = listing.tables.length <= OPEN_ALL_UP_TO || groups.size === 1;
  // Schemas opened or closed by hand: one record while browsing, another for the current search
  // (reset as the search changes, when every schema with matches opens again).
  const [browseOpen, setBrowseOpen] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [searchOpen, setSearchOpen] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [limits, setLimits] = useState<ReadonlyMap<string, number>>(new Map());
  const [openColumns, setOpenColumns] = useState<ReadonlySet<string>>(new Set());

  const reasons = useMemo(() => {
    const map = new Map<string, string>();
    for (const table of listing.tables) {
      const reason = unavailableReason(table, mode);
      if (reason) map.set(tableKey(table), reason);
    }
    return map;
  }, [listing, mode]);

  const filtered = useMemo(() => {
    const result: { schema: string; tables: { table: PeerTable; key: string }[] }[] = [];
    for (const [schema, tables] of groups) {
      const matching = tables.filter((t) => matchesSearch(t, search)).map((table) => ({ table, key: tableKey(table) }));
      if (matching.length) result.push({ schema, tables: matching });
    }
    return result;
  }, [groups, search]);

  const selectableMatching = useMemo(() => filtered.flatMap((g) => g.tables.filter((t) => !reasons.has(t.key)).map((t) => t.key)), [filtered, reasons]);
  // Selected tables whose target would make the create fail (rows there, another mirror writing it).
  const attention = useMemo(() => {
    if (!targets) return 0;
    return listing.tables.reduce((n, t) => {
      const key = tableKey(t);
      if (!selection.selected.has(key) || reasons.has(key)) return n;
      return n + (describeTarget(targets.get(targetKeyOf(t, selection.edits.get(key))), ownMirror).problem ? 1 : 0);
    }, 0);
  }, [listing, selection, reasons, targets, ownMirror]);
  const matchingCount = useMemo(() => filtered.reduce((n, g) => n + g.tables.length, 0), [filtered]);
  const selectedCount = useMemo(() => listing.tables.reduce((n, t) => n + (selection.selected.has(tableKey(t)) && !reasons.has(tableKey(t)) ? 1 : 0), 0), [listing, selection, reasons]);

  const actions: RowActions = useMemo(
    () => ({
      toggle: (key, selected) => onChange((s) => withSelected(s, [key], selected)),
      edit: (key, patch) => onChange((s) => withEdit(s, key, patch)),
      toggleColumn: (key, column) => onChange((s) => withColumnToggled(s, key, column)),
      toggleColumns: (key) => setOpenColumns((open) => toggleIn(open, key)),
    }),
    [onChange],
  );
  const selectKeys = useCallback((keys: string[], selected: boolean) => onChange((s) => withSelected(s, keys, selected)), [onChange]);

  const searching = search.trim() !== "";
  return (
    <div className="rounded-lg border border-slate-200 bg-white">
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-3 py-2">
        <SelectBox
          label="Select all tables"
          keys={selectableMatching}
          selected={selection.selected}
          onSelect={selectKeys}
          text={searching ? `All ${formatCount(selectableMatching.length)} matching` : `All ${formatCount(selectableMatching.length)}`}
        />
        <input
          type="search"
          aria-label="Search tables"
          placeholder="Search schema.table…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setSearchOpen(new Map());
          }}
          className="min-w-48 flex-1 rounded-md border border-slate-300 px-2.5 py-1 text-sm"
        />
        <span className="text-sm text-slate-600" data-testid="picker-selected-count">
          {formatCount(selectedCount)} of {formatCount(listing.tables.length)} tables selected
        </span>
        {attention > 0 && (
          <span className="text-sm font-medium text-amber-800" data-testid="picker-attention">
            ⚠ {formatCount(attention)} {attention === 1 ? "table needs" : "tables need"} attention
          </span>
        )}
        {selectedCount > 0 && (
          <button type="button" onClick={() => onChange((s) => ({ ...s, selected: new Set() }))} className="text-sm text-sky-700 hover:underline">
            Clear
          </button>
        )}
      </div>
      {listing.tables.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-600">This database has no tables that pgferry can copy.</p>
      ) : filtered.length === 0 ? (
        <p className="px-4 py-6 text-sm text-slate-600">No table matches “{search}”.</p>
      ) : (
        <div className="max-h-[36rem] overflow-y-auto">
          {filtered.map(({ schema, tables }) => {
            const open = searching ? (searchOpen.get(schema) ?? true) : (browseOpen.get(schema) ?? (openAll || groups.get(schema)!.length <= OPEN_SCHEMA_UP_TO));
            const setOpen = searching ? setSearchOpen : setBrowseOpen;
            const limit = limits.get(schema) ?? ROWS_PER_PAGE;
            const selectable = tables.filter((t) => !reasons.has(t.key)).map((t) => t.key);
            return (
              <section key={schema} aria-label={`Schema ${schema}`} className="border-b border-slate-100 last:border-b-0">
                <div className="sticky top-0 z-10 flex items-center gap-2 bg-slate-50 px-3 py-1.5">
                  <SelectBox label={`Select all tables in schema ${schema}`} keys={selectable} selected={selection.selected} onSelect={selectKeys} />
                  <button
                    type="button"
                    aria-expanded={open}
                    onClick={() => setOpen((m) => new Map(m).set(schema, !open))}
                    className="flex flex-1 items-center gap-2 text-left text-sm font-semibold text-slate-800"
                  >
                    <span aria-hidden className="w-3 text-slate-500">
                      {open ? "▾" : "▸"}
                    </span>
                    <Ident text={schema} />
                    <span className="font-normal text-slate-500">
                      {formatCount(tables.length)} {tables.length === 1 ? "table" : "tables"}
                      {searching && groups.get(schema)!.length !== tables.length ? ` matching of ${formatCount(groups.get(schema)!.length)}` : ""}
                    </span>
                  </button>
                </div>
                {open && (
                  <table className="w-full text-sm">
                    <thead className="text-left text-xs text-slate-500">
                      <tr>
                        <th className="w-8" />
                        <th className="py-1 pr-3 font-medium">Table</th>
                        <th className="py-1 pr-3 text-right font-medium">Est. rows</th>
                        <th className="py-1 pr-3 text-right font-medium">Size</th>
                        <th className="py-1 pr-3 font-medium">Primary key</th>
                        <th className="py-1 pr-3 font-medium">Replica identity</th>
                        <th className="py-1 pr-3 font-medium">Target schema . table</th>
                        <th className="py-1 pr-3" />
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-100">
                      {tables.slice(0, limit).map(({ table, key }) => (
                        <TablePickerRow
                          key={key}
                          table={table}
                          tableKey={key}
                          checked={selection.selected.has(key)}
                          reason={reasons.get(key) ?? null}
                          edit={selection.edits.get(key)}
                          showColumns={openColumns.has(key)}
                          error={rowErrors?.get(key)}
                          target={targets ? (targets.get(targetKeyOf(table, selection.edits.get(key))) ?? null) : undefined}
                          actions={actions}
                          ownMirror={ownMirror}
                        />
                      ))}
                    </tbody>
                  </table>
                )}
                {open && tables.length > limit && (
                  <div className="px-3 py-2 text-sm">
                    <button type="button" onClick={() => setLimits((l) => new Map(l).set(schema, limit + ROWS_PER_PAGE))} className="text-sky-700 hover:underline">
                      Show {formatCount(Math.min(ROWS_PER_PAGE, tables.length - limit))} more of {formatCount(tables.length - limit)} hidden
                    </button>
                    <span className="ml-2 text-slate-500">(or narrow the search; “Select all” includes hidden rows)</span>
                  </div>
                )}
              </section>
            );
          })}
        </div>
      )}
      {searching && matchingCount > 0 && (
        <p className="border-t border-slate-100 px-3 py-1.5 text-xs text-slate-500">
          {formatCount(matchingCount)} tables match. Selected tables that do not match stay selected.
        </p>
      )}
    </div>
  );
}

/** A checkbox for a group of tables: ticked when all are selected, indeterminate when some are. */
function SelectBox({ label, keys, selected, onSelect, text }: { label: string; keys: string[]; selected: ReadonlySet<string>; onSelect: (keys: string[], selected: boolean) => void; text?: string }) {
  const ref = useRef<HTMLInputElement>(null);
  const count = keys.reduce((n, k) => n + (selected.has(k) ? 1 : 0), 0);
  const all = keys.length > 0 && count === keys.length;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = count > 0 && !all;
  }, [count, all]);
  return (
    <label className="flex items-center gap-1.5 text-sm text-slate-700">
      <input ref={ref} type="checkbox" aria-label={label} className="h-4 w-4 accent-sky-600" checked={all} disabled={keys.length === 0} onChange={() => onSelect(keys, !all)} />
      {text}
    </label>
  );
}

function toggleIn<T>(set: ReadonlySet<T>, value: T): ReadonlySet<T> {
  const next = new Set(set);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  return next;
}
