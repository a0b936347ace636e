"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useMemo, useState } from "react";
import { TablePicker } from "@/components/mirrors/TablePicker";
import { EMPTY_SELECTION, indexTargetTables, type PickerSelection, pruneUnavailable, toCreateTables } from "@/components/mirrors/table-picker-model";
import { usePeerTables, useTargetTables } from "@/components/mirrors/usePeerTables";
import { fieldErrors } from "@/lib/errors/field-errors";
import { mirrorCreateSchema } from "@/lib/mirrors/input";
import type { MirrorMode } from "@/lib/mirrors/status";
import { type FormError, tableErrors } from "./fields";
import { type SettingKey, SettingsFields, settingsBody, type SettingsText } from "./SettingsFields";
import { FormField } from "@/components/FormField";
import { FormFooter } from "@/components/FormFooter";
import { sendJson } from "@/components/send-json";

export interface PeerOption {
  name: string;
  host: string;
  port: number;
  database: string;
  serverVersion: string | null;
}

const INPUT = "mt-1 w-full rounded-md border px-2.5 py-1.5 text-sm";

/**
 * The create-mirror form. It checks the body with the same zod schema as the API before sending,
 * then shows the server's own refusal (message and per-field errors) as it comes.
 */
export function CreateMirrorForm({ peers }: { peers: PeerOption[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [source, setSource] = useState("");
  const [target, setTarget] = useState("");
  const [cdc, setCdc] = useState(true);
  const [selection, setSelection] = useState<PickerSelection>(EMPTY_SELECTION);
  const [settings, setSettings] = useState<SettingsText>({});
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [submittedKeys, setSubmittedKeys] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const tables = usePeerTables(source || null);
  const targetTables = useTargetTables(target || null);
  const targetIndex = useMemo(() => indexTargetTables(targetTables.tables), [targetTables.tables]);
  const mode: MirrorMode = cdc ? "cdc" : "initial_load_only";
  const fields = error?.fields ?? {};

  function chooseSource(peer: string) {
    setSource(peer);
    // Another database has other tables: a selection made on the previous one means nothing here.
    setSelection(EMPTY_SELECTION);
    setNotice(null);
  }

  function chooseCdc(on: boolean) {
    setCdc(on);
    if (on && tables.listing) {
      const { selection: kept, removed } = pruneUnavailable(selection, tables.listing, "cdc");
      setSelection(kept);
      setNotice(
        removed.length === 0
          ? null
          : removed.length === 1
            ? `Deselected ${removed[0]}: it can't be replicated continuously (the reason is shown beside it).`
            : `Deselected ${removed.length} tables that can't be replicated continuously: ${removed.slice(0, 5).join(", ")}${removed.length > 5 ? ", …" : ""}.`,
      );
    } else {
      setNotice(null);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    // Only tables the mode allows: the picker disables the others, this guards against stale picks.
    const { tables: picked, keys } = tables.listing ? toCreateTables(tables.listing, pruneUnavailable(selection, tables.listing, mode).selection) : { tables: [], keys: [] };
    const body = { name, source, target, mode, tables: picked, ...(settingsBody(settings, cdc) ? { settings: settingsBody(settings, cdc) } : {}) };
    setSubmittedKeys(keys);
    const checked = mirrorCreateSchema.safeParse(body);
    if (!checked.success) return fail({ message: "Some fields are not valid.", fields: fieldErrors(checked.error) });

    setSubmitting(true);
    setError(null);
    try {
      const response = await sendJson("/api/v1/mirrors", "POST", body);
      if (response.ok) {
        router.push(`/mirrors/${encodeURIComponent(name)}`);
        return;
      }
      const answer = await response.json().catch(() => null);
      fail({ message: answer?.error?.message ?? `The server answered ${response.status}.`, fields: answer?.error?.fields ?? {} });
    } catch {
      fail({ message: "pgferry could not be reached. Check that it is running and try again.", fields: {} });
    }
    setSubmitting(false);
  }

  function fail(formError: FormError) {
    setError(formError);
    if (Object.keys(formError.fields).some((f) => f.startsWith("settings."))) setSettingsOpen(true);
  }

  const rowErrors = tableErrors(fields, submittedKeys);
  const sourcePeer = peers.find((p) => p.name === source);

  return (
    <form onSubmit={submit} noValidate className="space-y-6">
      {error && (
        <div role="alert" data-testid="form-error" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          <p className="font-medium">{error.message}</p>
          {rowErrors.size > 0 && <p className="mt-1">The tables concerned are marked below.</p>}
        </div>
      )}

      {peers.length < 1 && (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          A mirror needs a source and a target peer. <Link href="/peers/new" className="font-medium underline">Create a peer</Link> first.
        </p>
      )}

      <section className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3">
        <FormField id="mirror-name" label="Name" error={fields.name} compact hint="Lowercase letters, digits and underscores; names the slot and publication.">
          <input id="mirror-name" name="name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" placeholder="orders_migration" className={`${INPUT} ${fields.name ? "border-red-400" : "border-slate-300"}`} />
        </FormField>
        <FormField id="mirror-source" label="Source peer" error={fields.source} compact hint={sourcePeer ? `${sourcePeer.host}:${sourcePeer.port}/${sourcePeer.database}${sourcePeer.serverVersion ? ` · PostgreSQL ${sourcePeer.serverVersion}` : ""}` : "The database to copy from."}>
          <PeerSelect id="mirror-source" value={source} onChange={chooseSource} peers={peers} invalid={!!fields.source} />
        </FormField>
        <FormField id="mirror-target" label="Target peer" error={fields.target} compact hint="The database to copy into. Existing target tables must be empty.">
          <PeerSelect id="mirror-target" value={target} onChange={setTarget} peers={peers} invalid={!!fields.target} />
        </FormField>
        <div className="sm:col-span-3">
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" className="mt-0.5 h-4 w-4 accent-sky-600" checked={cdc} onChange={(e) => chooseCdc(e.target.checked)} />
            <span>
              <span className="font-medium text-slate-800">Continuous replication</span>
              <span className="block text-slate-600">
                {cdc
                  ? "On: after the initial copy, changes on the source are streamed to the target until you delete the mirror (needs wal_level=logical and a free replication slot)."
                  : "Off: initial copy only. The mirror completes once the tables are copied; nothing is created on the source."}
              </span>
            </span>
          </label>
          {fields.mode && <p role="alert" className="mt-1 text-xs text-red-700">{fields.mode}</p>}
        </div>
      </section>

      <section className="space-y-2">
        <h2 className="text-base font-semibold">Tables</h2>
        {fields.tables && (
          <p role="alert" className="text-sm text-red-700">
            {fields.tables}
          </p>
        )}
        {target && targetTables.error && (
          <p className="text-sm text-slate-600">
            Could not look at the target&apos;s tables ({targetTables.error}); the create check still will.{" "}
            <button type="button" onClick={targetTables.reload} className="font-medium text-sky-700 underline">
              Try again
            </button>
          </p>
        )}
        {notice && (
          <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {notice}
          </p>
        )}
        {!source ? (
          <p className="rounded-lg border border-dashed border-slate-300 bg-white px-4 py-6 text-sm text-slate-600">Choose a source peer to see its tables.</p>
        ) : tables.loading ? (
          <p className="rounded-lg border border-slate-200 bg-white px-4 py-6 text-sm text-slate-600" role="status">
            Reading tables of {source}…
          </p>
        ) : tables.error ? (
          <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            <p>Could not read the tables of {source}: {tables.error}</p>
            <button type="button" onClick={tables.reload} className="mt-2 font-medium underline">
              Try again
            </button>
          </div>
        ) : tables.listing ? (
          <TablePicker listing={tables.listing} mode={mode} selection={selection} onChange={setSelection} rowErrors={rowErrors} targets={targetIndex} />
        ) : null}
      </section>

      <SettingsFields
        values={settings}
        onChange={(key: SettingKey, value: string) => setSettings((s) => ({ ...s, [key]: value }))}
        mirrorName={name}
        cdc={cdc}
        errors={fields}
        open={settingsOpen}
        onToggle={setSettingsOpen}
      />

      <FormFooter submitLabel={submitting ? "Checking and creating…" : "Create mirror"} disabled={submitting} cancelHref="/mirrors" />
    </form>
  );
}

function PeerSelect({ id, value, onChange, peers, invalid }: { id: string; value: string; onChange: (peer: string) => void; peers: PeerOption[]; invalid: boolean }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={`${INPUT} bg-white ${invalid ? "border-red-400" : "border-slate-300"}`}>
      <option value="">Choose a peer…</option>
      {peers.map((p) => (
        <option key={p.name} value={p.name}>
          {p.name} ({p.host}:{p.port}/{p.database})
        </option>
      ))}
    </select>
  );
}
