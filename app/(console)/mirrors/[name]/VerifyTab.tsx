"use client";

import { useState } from "react";
import { type DataColumn, DataTable } from "@/components/DataTable";
import { formatCount, formatDuration, formatTime } from "@/components/format";
import { sendJson } from "@/components/send-json";
import { TONES } from "@/components/tones";
import { usePolling } from "@/components/usePolling";
import type { VerificationSummary, VerificationTableView, VerificationView } from "@/lib/web/mirrors/verify";
import type { MirrorDetail } from "@/lib/web/mirrors/views";
import { apiErrorMessage } from "@/components/api-error";

/** Default: a running verification refreshes every 2 s, the history every 5 s. */
const RUN_REFRESH_MS = 2_000;
const LIST_REFRESH_MS = 5_000;

const RUN_STYLES: Record<string, string> = { running: TONES.info, passed: TONES.good, failed: TONES.bad, error: TONES.warn, cancelled: TONES.neutral };

const TABLE_STYLES: Record<string, string> = {
  equal: TONES.good,
  different: TONES.bad,
  error: TONES.warn,
  running: TONES.info,
  pending: "bg-slate-100 text-slate-600",
  cancelled: "bg-slate-100 text-slate-600",
};

const VERIFIABLE = ["running", "paused", "completed"];

function Pill({ value, styles, testId }: { value: string; styles: Record<string, string>; testId?: string }) {
  return (
    <span data-testid={testId} data-status={value} className={`rounded-full px-2 py-0.5 text-xs font-medium ${styles[value] ?? TONES.neutral}`}>
      {value}
    </span>
  );
}

function useVerifications(name: string) {
  return usePolling<{ verifications: VerificationSummary[] }>(`/api/v1/mirrors/${encodeURIComponent(name)}/verifications?limit=20`, LIST_REFRESH_MS);
}

/** The last verification's outcome, for the Overview tab. */
export function LastVerification({ name }: { name: string }) {
  const { data } = useVerifications(name);
  const last = data?.verifications[0];
  if (!data) return <span className="text-slate-500">…</span>;
  if (!last) return <span className="text-slate-500">never verified</span>;
  return (
    <span className="inline-flex items-center gap-2" data-testid="last-verification">
      <Pill value={last.status} styles={RUN_STYLES} />
      <span className="text-xs text-slate-500">
        {formatTime(last.finishedAt ?? last.startedAt)}
        {last.status !== "running" && ` · ${formatCount(last.progress.differences)} ${last.progress.differences === 1 ? "difference" : "differences"}`}
      </span>
    </span>
  );
}

/** Verify tab: start a run (all tables or some), follow it live, read each table's result and the run history. */
export function VerifyTab({ mirror }: { mirror: MirrorDetail }) {
  const base = `/api/v1/mirrors/${encodeURIComponent(mirror.name)}`;
  const list = useVerifications(mirror.name);
  const [chosen, setChosen] = useState<string | null>(null);
  const [all, setAll] = useState(true);
  const [picked, setPicked] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const selectedId = chosen ?? list.data?.verifications[0]?.id ?? null;
  const run = usePolling<VerificationView>(selectedId ? `${base}/verifications/${selectedId}` : null, RUN_REFRESH_MS);
  const current = run.data?.id === selectedId ? run.data : undefined;
  const canStart = VERIFIABLE.includes(mirror.status);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const response = await sendJson(`${base}/verify`, "POST", all ? {} : { tables: picked });
      if (response.status !== 202) {
        setError(await apiErrorMessage(response));
        return;
      }
      setChosen((await response.json()).id);
      await list.refresh();
    } catch {
      setError("pgferry could not be reached.");
    } finally {
      setBusy(false);
    }
  }

  async function cancel(id: string) {
    const response = await sendJson(`${base}/verifications/${id}`, "DELETE");
    if (!response.ok) setError(await apiErrorMessage(response));
    await Promise.all([run.refresh(), list.refresh()]);
  }

  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
        <h2 className="mb-1 text-base font-semibold">Verify the target</h2>
        <p className="mb-3 text-slate-600">
          Compares every row of the source with the target, key by key, in chunks hashed on each server. On a replicating mirror a difference counts only if it is still there after the
          target has applied the source&apos;s changes up to the moment it was read.
        </p>
        <fieldset className="mb-3 space-y-1" disabled={!canStart || busy}>
          <label className="flex items-center gap-2">
            <input type="radio" name="verify-scope" checked={all} onChange={() => setAll(true)} data-testid="verify-all" />
            All {mirror.tables.length} tables
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="verify-scope" checked={!all} onChange={() => setAll(false)} data-testid="verify-some" />
            Only these:
          </label>
          {!all && (
            <div className="ml-6 grid gap-1 sm:grid-cols-2">
              {mirror.tables.map((t) => (
                <label key={t.source} className="flex items-center gap-2 font-mono text-xs">
                  <input
                    type="checkbox"
                    checked={picked.includes(t.source)}
                    onChange={(e) => setPicked((p) => (e.target.checked ? [...p, t.source] : p.filter((s) => s !== t.source)))}
                  />
                  {t.source}
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <button
          type="button"
          data-testid="verify-start"
          onClick={() => void start()}
          disabled={!canStart || busy || (!all && picked.length === 0)}
          className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50"
        >
          {busy ? "Starting…" : "Start verification"}
        </button>
        {!canStart && <p className="mt-2 text-slate-500">A verification can run once the initial load has finished.</p>}
        {error && (
          <p role="alert" className="mt-2 text-red-700">
            {error}
          </p>
        )}
      </section>

      {current && <RunDetail run={current} onCancel={() => void cancel(current.id)} />}

      <section>
        <h2 className="mb-2 text-base font-semibold">History</h2>
        {!list.data?.verifications.length ? (
          <p className="text-sm text-slate-500">{list.data ? "No verification has run yet." : "Loading…"}</p>
        ) : (
          <DataTable
            columns={HISTORY_COLUMNS}
            rows={list.data.verifications}
            rowKey={(v) => v.id}
            rowAttributes={(v) => ({ onClick: () => setChosen(v.id), className: `cursor-pointer hover:bg-slate-50 ${v.id === selectedId ? "bg-sky-50/50" : ""}` })}
            testId="verification-history"
          />
        )}
      </section>
    </div>
  );
}

function RunDetail({ run, onCancel }: { run: VerificationView; onCancel: () => void }) {
  const p = run.progress;
  return (
    <section className="space-y-3" data-testid="verification">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-base font-semibold">Verification of {formatTime(run.startedAt)}</h2>
        <Pill value={run.status} styles={RUN_STYLES} testId="verification-status" />
        {run.status === "running" && (
          <button type="button" onClick={onCancel} className="rounded-md border border-slate-300 px-2 py-1 text-xs font-medium">
            Cancel
          </button>
        )}
      </div>
      <dl className="grid gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-5" data-testid="verification-progress">
        <Item label="Tables done">
          {p.tablesDone}/{p.tablesTotal}
        </Item>
        <Item label="Chunks">
          {formatCount(p.chunksDone)}/{formatCount(p.chunksTotal)}
        </Item>
        <Item label="Rows compared">{formatCount(p.rowsCompared)}</Item>
        <Item label="Differences">{formatCount(p.differences)}</Item>
        <Item label={run.status === "running" ? "Time left" : "Finished"}>
          {run.status === "running" ? (p.etaSeconds == null ? "estimating…" : formatDuration(p.etaSeconds * 1000)) : formatTime(run.finishedAt)}
        </Item>
      </dl>
      {run.error && <p className="rounded-md border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900">{run.error}</p>}
      <DataTable
        columns={TABLE_COLUMNS}
        rows={run.tables}
        rowKey={(t) => t.source}
        rowAttributes={(t) => ({ className: "align-top", "data-testid": "verification-table", "data-table": t.source })}
        testId="verification-tables"
      />
    </section>
  );
}

const HISTORY_COLUMNS: DataColumn<VerificationSummary>[] = [
  { header: "Started", cell: (v) => formatTime(v.startedAt), className: "text-xs" },
  { header: "Result", cell: (v) => <Pill value={v.status} styles={RUN_STYLES} /> },
  { header: "Tables", cell: (v) => `${v.progress.tablesDone}/${v.progress.tablesTotal}` },
  { header: "Rows compared", cell: (v) => formatCount(v.progress.rowsCompared) },
  { header: "Differences", cell: (v) => formatCount(v.progress.differences) },
];

const TABLE_COLUMNS: DataColumn<VerificationTableView>[] = [
  {
    header: "Table",
    cell: (t) => (
      <>
        {t.source}
        {t.target !== t.source && <span className="ml-1 text-slate-500">→ {t.target}</span>}
      </>
    ),
    className: "font-mono text-xs break-all",
  },
  { header: "Result", cell: (t) => <TableResult table={t} /> },
  { header: "Source rows", cell: (t) => formatCount(t.sourceRows) },
  { header: "Target rows", cell: (t) => formatCount(t.targetRows) },
  { header: "Differences", cell: (t) => formatCount(t.differences) },
];

/** A table's outcome: its state, the chunk it is at, its error, and the first differing rows. */
function TableResult({ table: t }: { table: VerificationTableView }) {
  return (
    <>
      <Pill value={t.state} styles={TABLE_STYLES} />
      {t.state === "running" && t.chunksTotal > 0 && (
        <span className="ml-2 text-xs text-slate-500">
          chunk {t.chunksDone}/{t.chunksTotal}
        </span>
      )}
      {t.error && <p className="mt-1 text-xs whitespace-pre-wrap text-amber-800">{t.error}</p>}
      {t.examples.length > 0 && (
        <details className="mt-1 text-xs">
          <summary className="cursor-pointer text-slate-600">
            {t.examples.length < t.differences ? `First ${t.examples.length} of ${formatCount(t.differences)}` : `${t.examples.length}`} differing rows
          </summary>
          <ul className="mt-1 space-y-0.5 font-mono">
            {t.examples.map((e, i) => (
              <li key={i}>
                <span className={e.kind === "changed" ? "text-amber-700" : e.kind === "missing" ? "text-red-700" : "text-violet-700"}>{e.kind}</span>{" "}
                {Object.entries(e.key)
                  .map(([k, v]) => `${k}=${v === null ? "NULL" : v}`)
                  .join(", ")}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 font-medium">{children}</dd>
    </div>
  );
}
