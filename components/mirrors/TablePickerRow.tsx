"use client";

import { memo } from "react";
import type { PeerTable } from "@/lib/pg/introspect/tables";
import { formatBytes, formatCount } from "@/components/format";
import { describeTarget, type TableEdit } from "./table-picker-model";
import type { TargetTableInfo } from "@/lib/web/peers/target-tables";
import { Ident } from "@/components/Ident";

export interface RowActions {
  toggle: (key: string, selected: boolean) => void;
  toggleColumns: (key: string) => void;
  edit: (key: string, patch: TableEdit) => void;
  toggleColumn: (key: string, column: string) => void;
}

interface Props {
  table: PeerTable;
  tableKey: string;
  checked: boolean;
  /** Why the table cannot be mirrored in the chosen mode; null when it can. */
  reason: string | null;
  edit: TableEdit | undefined;
  showColumns: boolean;
  error: string | undefined;
  /** What is at the target table: null when nothing is there, undefined while unknown. */
  target?: TargetTableInfo | null;
  actions: RowActions;
  /** The mirror being edited, whose own target tables are not a conflict. */
  ownMirror?: string;
}

/**
 * One source table in the picker. Memoised and fed only plain values plus stable callbacks, so
 * that ticking one of a thousand tables re-renders one row, not all of them.
 */
export const TablePickerRow = memo(function TablePickerRow({ table, tableKey, checked, reason, edit, showColumns, error, target, actions, ownMirror }: Props) {
  const disabled = reason !== null;
  const atTarget = target === undefined || disabled ? null : describeTarget(target ?? undefined, ownMirror);
  // The server's refusal, once there, says it instead: each problem is shown once.
  const targetProblem = error ? null : (atTarget?.problem ?? null);
  const excluded = edit?.excludeColumns ?? [];
  return (
    <>
      <tr className={`${disabled ? "bg-slate-50 text-slate-500" : targetProblem || error ? "bg-amber-50/70" : checked ? "bg-sky-50/60" : ""}`} title={reason ?? undefined} data-table={tableKey}>
        <td className="w-8 py-1.5 pl-3 align-top">
          <input
            type="checkbox"
            aria-label={`Select ${tableKey}`}
            className="mt-1 h-4 w-4 accent-sky-600"
            checked={checked && !disabled}
            disabled={disabled}
            onChange={(e) => actions.toggle(tableKey, e.target.checked)}
          />
        </td>
        <td className="py-1.5 pr-3 align-top">
          <div className="flex items-center gap-1.5">
            <Ident text={table.name} className="font-medium text-slate-900" />
            {table.kind === "partitioned" && (
              <span className="rounded bg-violet-50 px-1.5 text-xs text-violet-700" title="Partitioned table: the target gets the same partitions, unless flattened into one table">
                partitioned · {table.partitions ?? 0}
              </span>
            )}
            {table.kind === "partitioned" && (
              <label className="flex items-center gap-1 text-xs text-slate-600" title="Create one ordinary table on the target instead of the same partitions">
                <input
                  type="checkbox"
                  aria-label={`Flatten ${tableKey} into one table`}
                  className="h-3.5 w-3.5 accent-sky-600"
                  checked={edit?.flatten === true}
                  disabled={disabled}
                  onChange={(e) => actions.edit(tableKey, { flatten: e.target.checked })}
                />
                flatten into one table
              </label>
            )}
            {disabled && (
              <span role="img" aria-label={`Not selectable: ${reason}`} title={reason ?? undefined} className="cursor-help text-amber-700" data-testid="unavailable-icon">
                ⚠
              </span>
            )}
          </div>
          {disabled && <div className="mt-0.5 max-w-md text-xs text-amber-700">{reason}</div>}
          {error && (
            <div role="alert" className="mt-0.5 max-w-md text-xs text-red-700">
              {error}
            </div>
          )}
        </td>
        <td className="py-1.5 pr-3 text-right align-top tabular-nums" title={table.estimatedRows === null ? "Never analysed: run ANALYZE for an estimate" : undefined}>
          {table.estimatedRows === null ? "unknown" : formatCount(table.estimatedRows)}
        </td>
        <td className="py-1.5 pr-3 text-right align-top tabular-nums whitespace-nowrap">{formatBytes(table.totalBytes)}</td>
        <td className="py-1.5 pr-3 align-top text-xs">{table.primaryKey.length ? table.primaryKey.join(", ") : <span className="text-amber-700">none</span>}</td>
        <td className="py-1.5 pr-3 align-top text-xs whitespace-nowrap">
          {table.replicaIdentity === "index" ? `index ${table.replicaIdentityIndex ?? ""}` : table.replicaIdentity}
        </td>
        <td className="py-1 pr-3 align-top">
          <div className="flex items-center gap-1">
            <TargetInput part="schema" table={table} tableKey={tableKey} edit={edit} disabled={disabled} actions={actions} />
            <span className="text-slate-500">.</span>
            <TargetInput part="table" table={table} tableKey={tableKey} edit={edit} disabled={disabled} actions={actions} />
          </div>
          {atTarget && !targetProblem && (
            <div className="mt-0.5 text-xs text-slate-500" data-testid="target-state">
              {atTarget.text}
            </div>
          )}
          {targetProblem && (
            <div className="mt-0.5 max-w-xs text-xs text-amber-800" data-testid="target-problem">
              <span aria-hidden>⚠ </span>
              {targetProblem}
            </div>
          )}
        </td>
        <td className="py-1.5 pr-3 text-right align-top whitespace-nowrap">
          <button
            type="button"
            aria-expanded={showColumns}
            aria-label={`Columns of ${tableKey}`}
            onClick={() => actions.toggleColumns(tableKey)}
            className="rounded px-1.5 text-xs text-sky-700 hover:bg-sky-50"
          >
            {table.columns.length} cols{excluded.length ? ` (−${excluded.length})` : ""} {showColumns ? "▴" : "▾"}
          </button>
        </td>
      </tr>
      {showColumns && (
        <tr className="bg-slate-50/70">
          <td />
          <td colSpan={7} className="pb-2 pr-3">
            <fieldset>
              <legend className="sr-only">Columns of {tableKey} to copy</legend>
              <ul className="grid grid-cols-1 gap-x-4 gap-y-0.5 text-xs sm:grid-cols-2 lg:grid-cols-3">
                {table.columns.map((column) => {
                  const isKey = table.primaryKey.includes(column.name);
                  return (
                    <li key={column.name} title={isKey ? "Primary key columns are always copied: changes are matched on them." : undefined}>
                      <label className="flex items-center gap-1.5">
                        <input
                          type="checkbox"
                          aria-label={`Copy column ${column.name} of ${tableKey}`}
                          className="h-3.5 w-3.5 accent-sky-600"
                          checked={isKey || !excluded.includes(column.name)}
                          disabled={isKey || disabled}
                          onChange={() => actions.toggleColumn(tableKey, column.name)}
                        />
                        <span className={`font-mono ${excluded.includes(column.name) ? "text-slate-500 line-through" : "text-slate-800"}`}>{column.name}</span>
                        <span className="text-slate-500">{column.type}</span>
                        {isKey && <span className="rounded bg-amber-50 px-1 text-amber-800">PK</span>}
                        {column.generated && <span className="rounded bg-slate-200 px-1 text-slate-700">generated</span>}
                        {!column.nullable && !isKey && <span className="text-slate-500">not null</span>}
                      </label>
                    </li>
                  );
                })}
              </ul>
              {excluded.length > 0 && <p className="mt-1 text-xs text-slate-500">Unticked columns are neither copied nor replicated.</p>}
            </fieldset>
          </td>
        </tr>
      )}
    </>
  );
});

const TARGET_PARTS = {
  schema: { field: "targetSchema", width: "w-24", source: (table: PeerTable) => table.schema },
  table: { field: "targetName", width: "w-32", source: (table: PeerTable) => table.name },
} as const;

/** One half of the target's name, prefilled with the source's. */
function TargetInput({ part, table, tableKey, edit, disabled, actions }: Pick<Props, "table" | "tableKey" | "edit" | "actions"> & { part: keyof typeof TARGET_PARTS; disabled: boolean }) {
  const { field, width, source } = TARGET_PARTS[part];
  return (
    <input
      aria-label={`Target ${part} for ${tableKey}`}
      className={`${width} rounded border border-slate-300 px-1.5 py-0.5 text-xs disabled:bg-transparent`}
      value={edit?.[field] ?? source(table)}
      placeholder={source(table)}
      disabled={disabled}
      onChange={(e) => actions.edit(tableKey, { [field]: e.target.value })}
    />
  );
}
