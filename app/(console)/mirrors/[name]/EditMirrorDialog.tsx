"use client";

import { type FormEvent, useId, useMemo, useState } from "react";
import { Modal } from "@/components/Modal";
import { ErrorNote } from "@/components/ErrorNote";
import { FormField } from "@/components/FormField";
import { formatCount } from "@/components/format";
import { sendJson } from "@/components/send-json";
import { TablePicker } from "@/components/mirrors/TablePicker";
import { indexTargetTables, type PickerSelection } from "@/components/mirrors/table-picker-model";
import { usePeerTables, useTargetTables } from "@/components/mirrors/usePeerTables";
import { fieldErrors } from "@/lib/errors/field-errors";
import { type MirrorSettings, mirrorSettingsSchema } from "@/lib/mirrors/settings";
import type { MirrorDetail } from "@/lib/web/mirrors/views";
import { type FormError, tableErrors } from "../new/fields";
import { currentSelection, tableChanges, tablesBody } from "./edit-tables";
import { canChangeTables } from "./table-changes";

interface SettingField {
  key: keyof MirrorSettings;
  label: string;
  help: string;
  cdcOnly: boolean;
}

/** The settings a running mirror takes without a restart (lib/web/mirrors/edit.ts EDITABLE_SETTINGS); labels as in the create form. */
const SETTINGS: SettingField[] = [
  { key: "cdcBatchSize", label: "CDC batch size", help: "Most source rows applied in one target transaction. Applies within a second.", cdcOnly: true },
  { key: "cdcMaxBatchLatencyMs", label: "Max batch latency (ms)", help: "Longest a received change waits before its batch is applied. Applies within a second.", cdcOnly: true },
  { key: "parallelCopyWorkers", label: "Parallel copy workers", help: "Partitions copied at once for this mirror. Applies to the next copy (added or resynced tables).", cdcOnly: false },
  { key: "tablesInParallel", label: "Tables in parallel", help: "Tables copied at once. Applies to the next copy.", cdcOnly: false },
];

const INPUT = "mt-1 w-full rounded-md border px-2.5 py-1.5 text-sm";
const BUTTON = "rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50";

/**
 * Changes a mirror while it runs (PATCH /api/v1/mirrors/{name}): the table picker with the current
 * tables ticked (tick more to add them, untick to remove) and the settings that take effect without a
 * restart. Sends the full table list only when it changed and only the settings that changed; the
 * server's refusals are shown where they belong. Mounted only while open: the picker asks the source
 * for its tables, which should not happen on every page view. A completed copy-only mirror copies
 * added tables at once; its tables cannot be removed (the server says so).
 */
export function EditMirrorDialog({ mirror: live, onClose, onSaved }: { mirror: MirrorDetail; onClose: () => void; onSaved: () => Promise<void> | void }) {
  // The mirror as it was when the dialog opened: the page's polling must not move what the user edits.
  const [mirror] = useState(live);
  const cdc = mirror.mode === "cdc";
  const withTables = canChangeTables(mirror);
  const fieldsShown = useMemo(() => SETTINGS.filter((f) => cdc || !f.cdcOnly), [cdc]);
  const titleId = useId();
  const [selection, setSelection] = useState<PickerSelection>(() => currentSelection(mirror));
  const [settings, setSettings] = useState<Record<string, string>>(() => Object.fromEntries(fieldsShown.map((f) => [f.key, String(mirror.settings[f.key])])));
  const [dropTargets, setDropTargets] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [submittedKeys, setSubmittedKeys] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const tables = usePeerTables(withTables ? mirror.source : null);
  const targetTables = useTargetTables(withTables ? mirror.target : null);
  const targetIndex = useMemo(() => indexTargetTables(targetTables.tables), [targetTables.tables]);
  const changes = useMemo(() => tableChanges(mirror, selection, tables.listing), [mirror, selection, tables.listing]);
  const fields = error?.fields ?? {};


  function changedSettings(): Record<string, number | string> {
    const body: Record<string, number | string> = {};
    for (const field of fieldsShown) {
      const raw = (settings[field.key] ?? "").trim();
      // "1,000" and "1 000" read as numbers; anything else goes as typed so the schema explains what is wrong.
      const number = Number(raw.replace(/[,\s_]/g, ""));
      const value = raw !== "" && Number.isFinite(number) ? number : raw;
      if (value !== mirror.settings[field.key]) body[field.key] = value;
    }
    return body;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const settingsBody = changedSettings();
    const tableBody = tables.listing && changes.changed ? tablesBody(mirror, tables.listing, selection) : null;
    if (!tableBody && Object.keys(settingsBody).length === 0) return onClose();
    const checked = mirrorSettingsSchema.partial().safeParse(settingsBody);
    if (!checked.success) {
      setError({ message: "Some settings are not valid.", fields: prefixed(fieldErrors(checked.error), "settings.") });
      return;
    }
    const body = {
      ...(tableBody ? { tables: tableBody.tables, ...(changes.removed.length > 0 ? { dropTargetTables: dropTargets } : {}) } : {}),
      ...(Object.keys(settingsBody).length > 0 ? { settings: settingsBody } : {}),
    };
    setSubmittedKeys(tableBody?.keys ?? []);
    setSaving(true);
    setError(null);
    try {
      const response = await sendJson(`/api/v1/mirrors/${encodeURIComponent(mirror.name)}`, "PATCH", body);
      if (response.ok) {
        await onSaved();
        onClose();
        return;
      }
      const answer = await response.json().catch(() => null);
      setError({ message: answer?.error?.message ?? `The server answered ${response.status}.`, fields: settingFields(answer?.error?.fields ?? {}) });
    } catch {
      setError({ message: "pgferry could not be reached. Check that it is running and try again.", fields: {} });
    }
    setSaving(false);
  }

  const rowErrors = tableErrors(fields, submittedKeys);
  return (
    <Modal labelledBy={titleId} busy={saving} onCancel={onClose} className="max-h-[90vh] w-[calc(100%-1rem)] max-w-5xl" testId="edit-mirror-dialog">
      <form onSubmit={submit} noValidate className="flex max-h-[inherit] flex-col">
        <div className="border-b border-slate-100 px-4 py-4 sm:px-6">
          <h2 id={titleId} className="text-lg font-semibold [overflow-wrap:anywhere]">
            Edit mirror {mirror.name}
          </h2>
          <p className="mt-1 text-sm text-slate-600">The name, the peers and the mode stay as they are; to change them, create a new mirror.</p>
        </div>

        <div className="min-h-0 flex-1 space-y-6 overflow-y-auto px-4 py-4 sm:px-6">
          <ErrorNote message={error?.message} />

          {withTables ? (
            <section className="space-y-2" aria-labelledby={`${titleId}-tables`}>
              <h3 id={`${titleId}-tables`} className="text-base font-semibold">
                Tables
              </h3>
              <p className="text-sm text-slate-600">
                {cdc
                  ? "Tick a table to add it: it is copied from its own snapshot while the other tables keep streaming. Untick one to remove it: its changes stop being applied."
                  : "Tick a table to add it: it is copied from a new snapshot with its indexes and constraints."}
              </p>
              {fields.tables && (
                <p role="alert" className="text-sm text-red-700">
                  {fields.tables}
                </p>
              )}
              {tables.loading ? (
                <p className="rounded-lg border border-slate-200 px-4 py-6 text-sm text-slate-600" role="status">
                  Reading tables of {mirror.source}…
                </p>
              ) : tables.error ? (
                <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
                  <p>Could not read the tables of {mirror.source}: {tables.error} The settings can still be saved.</p>
                  <button type="button" onClick={tables.reload} className="mt-2 font-medium underline">
                    Try again
                  </button>
                </div>
              ) : tables.listing ? (
                <TablePicker listing={tables.listing} mode={mirror.mode} selection={selection} onChange={setSelection} rowErrors={rowErrors} targets={targetIndex} ownMirror={mirror.name} />
              ) : null}
              {changes.removed.length > 0 && (
                <div className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 [overflow-wrap:anywhere]" data-testid="edit-removed">
                  <p>
                    Removing {changes.removed.join(", ")}: {changes.removed.length === 1 ? "its" : "their"} changes are no longer applied and {changes.removed.length === 1 ? "its" : "their"} counters are
                    kept.
                  </p>
                  <label className="mt-1 flex items-start gap-2">
                    <input type="checkbox" className="mt-0.5 h-4 w-4 accent-red-600" checked={dropTargets} onChange={(e) => setDropTargets(e.target.checked)} />
                    <span>Also drop {changes.removed.length === 1 ? "its target table" : "their target tables"} (otherwise kept)</span>
                  </label>
                  {fields.dropTargetTables && (
                    <p role="alert" className="mt-1 text-xs text-red-700">
                      {fields.dropTargetTables}
                    </p>
                  )}
                </div>
              )}
            </section>
          ) : (
            <p className="text-sm text-slate-600">Tables can be added once the mirror replicates (CDC) or its copy completed (initial copy only).</p>
          )}

          <section className="space-y-2" aria-labelledby={`${titleId}-settings`}>
            <h3 id={`${titleId}-settings`} className="text-base font-semibold">
              Settings
            </h3>
            <div className="grid gap-4 sm:grid-cols-2">
              {fieldsShown.map((field) => {
                const id = `edit-setting-${field.key}`;
                const message = fields[`settings.${field.key}`];
                return (
                  <FormField key={field.key} id={id} label={field.label} error={message} hint={field.help} compact>
                    <input
                      id={id}
                      name={field.key}
                      inputMode="numeric"
                      value={settings[field.key] ?? ""}
                      onChange={(e) => setSettings((s) => ({ ...s, [field.key]: e.target.value }))}
                      aria-invalid={message ? true : undefined}
                      aria-describedby={message ? `${id}-error` : undefined}
                      className={`${INPUT} ${message ? "border-red-400" : "border-slate-300"}`}
                    />
                  </FormField>
                );
              })}
            </div>
          </section>
        </div>

        <div className="flex flex-wrap items-center justify-end gap-2 border-t border-slate-100 bg-slate-50 px-4 py-3 sm:px-6">
          <p className="mr-auto text-sm text-slate-600" data-testid="edit-summary">
            {summary(changes.added.length, changes.removed.length)}
          </p>
          <button type="button" onClick={onClose} disabled={saving} className={`${BUTTON} text-slate-700 hover:bg-slate-200`}>
            Cancel
          </button>
          <button type="submit" disabled={saving} className={`${BUTTON} bg-sky-700 text-white hover:bg-sky-800`}>
            {saving ? "Saving…" : "Save changes"}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function summary(added: number, removed: number): string {
  const parts = [added > 0 ? `adds ${formatCount(added)} ${added === 1 ? "table" : "tables"}` : "", removed > 0 ? `removes ${formatCount(removed)} ${removed === 1 ? "table" : "tables"}` : ""].filter(Boolean);
  return parts.length ? `This ${parts.join(" and ")}.` : "";
}

function prefixed(fields: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([key, message]) => [`${prefix}${key}`, message]));
}

/** The server names a setting's error either `settings.<key>` or, from its settings schema, `<key>` alone. */
function settingFields(fields: Record<string, string>): Record<string, string> {
  const known = new Set<string>(SETTINGS.map((f) => f.key));
  return Object.fromEntries(Object.entries(fields).map(([key, message]) => [known.has(key) ? `settings.${key}` : key, message]));
}
