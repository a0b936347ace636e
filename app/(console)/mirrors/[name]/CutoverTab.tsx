"use client";

import { useState } from "react";
import { formatDuration, formatTime } from "@/components/format";
import { sendJson } from "@/components/send-json";
import { fenceUndoSql, type ReverseRecord } from "@/lib/catalog/cutover-status";
import type { CutoverStepView, CutoverView } from "@/lib/catalog/cutover-view";
import type { MirrorDetail } from "@/lib/web/mirrors/views";
import { apiErrorMessage } from "@/components/api-error";

const STEP_STYLES: Record<string, string> = {
  pending: "bg-slate-100 text-slate-600",
  running: "bg-sky-50 text-sky-700",
  done: "bg-emerald-50 text-emerald-700",
  failed: "bg-red-50 text-red-700",
  skipped: "bg-slate-100 text-slate-500",
};

const STATUS_TEXT: Record<string, string> = {
  running: "Cutting over…",
  aborting: "Aborting: lifting the fence…",
  aborted: "Aborted: the fence was lifted and replication continues.",
  failed: "Stopped: the fence was lifted and replication continues.",
  done: "Done: the target is the database now.",
};

const DEFAULTS = { fenceWrites: true, sequenceMargin: 0, maxLagSeconds: 60, buildObjects: true, verify: true, dropSource: true, reverse: false };

/**
 * Cutover tab: the options, then the checklist of steps with each one's duration and output, live
 * (the mirror view refreshes it); abort while the switch has not happened.
 */
export function CutoverTab({ mirror, onChanged }: { mirror: MirrorDetail; onChanged: () => Promise<unknown> | void }) {
  const base = `/api/v1/mirrors/${encodeURIComponent(mirror.name)}`;
  const [options, setOptions] = useState(DEFAULTS);
  const [confirmed, setConfirmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sequences, setSequences] = useState<string | null>(null);
  const cutover = mirror.cutover;
  const inProgress = cutover !== null && (cutover.status === "running" || cutover.status === "aborting");
  const canStart = mirror.mode === "cdc" && mirror.status === "running" && !inProgress && (options.fenceWrites || confirmed);

  async function call(url: string, method: "POST" | "DELETE", body: unknown, ok: number[]) {
    setBusy(true);
    setError(null);
    try {
      const response = await sendJson(url, method, body);
      if (!ok.includes(response.status)) {
        setError(await apiErrorMessage(response));
        return null;
      }
      const answer = await response.json().catch(() => null);
      await onChanged();
      return answer;
    } catch {
      setError("pgferry could not be reached.");
      return null;
    } finally {
      setBusy(false);
    }
  }

  async function syncSequences() {
    const answer = await call(`${base}/sequences/sync`, "POST", { margin: options.sequenceMargin }, [200]);
    if (answer) {
      const list = answer.sequences as { source: string; status: string; sourceValue: string | null; targetValue: string | null }[];
      setSequences(list.length ? list.map((s) => `${s.source}: ${s.status} (source ${s.sourceValue ?? "?"}, target ${s.targetValue ?? "—"})`).join("\n") : "The mirrored tables use no sequences.");
    }
  }

  if (mirror.mode !== "cdc") {
    return <p className="text-sm text-slate-600">A cutover switches an application from a replicating mirror&apos;s source to its target; this mirror copies once.</p>;
  }

  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
        <h2 className="mb-1 text-base font-semibold">Cut over to the target</h2>
        <p className="mb-3 text-slate-600">
          pgferry checks the mirror, makes the mirrored tables read-only on the source for every role but its own, waits until the target applied every change, brings the
          sequences forward, builds the target&apos;s objects, verifies every table, then stops replication and drops the slot and publication. Until that last step an abort (or a
          failing step) gives the application its write privileges back.
        </p>
        <fieldset className="mb-3 grid gap-2 sm:grid-cols-2" disabled={busy || inProgress}>
          <label className="flex items-center gap-2">
            <input type="checkbox" data-testid="cutover-fence" checked={options.fenceWrites} onChange={(e) => setOptions({ ...options, fenceWrites: e.target.checked })} />
            Fence writes on the source
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" data-testid="cutover-build" checked={options.buildObjects} onChange={(e) => setOptions({ ...options, buildObjects: e.target.checked })} />
            Build indexes, constraints and other objects
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" data-testid="cutover-verify" checked={options.verify} onChange={(e) => setOptions({ ...options, verify: e.target.checked })} />
            Verify every table first
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" data-testid="cutover-drop" checked={options.dropSource} onChange={(e) => setOptions({ ...options, dropSource: e.target.checked })} />
            Drop the slot and publication at the end
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" data-testid="cutover-reverse" checked={options.reverse} onChange={(e) => setOptions({ ...options, reverse: e.target.checked })} />
            Keep a way back (reverse mirror from the target)
          </label>
          <NumberOption
            label="Sequence margin"
            testId="cutover-margin"
            min={0}
            value={options.sequenceMargin}
            onChange={(value) => setOptions({ ...options, sequenceMargin: Math.max(0, Math.floor(value || 0)) })}
          />
          <NumberOption
            label="Maximum lag (seconds)"
            testId="cutover-max-lag"
            min={1}
            value={options.maxLagSeconds}
            onChange={(value) => setOptions({ ...options, maxLagSeconds: Math.max(1, value || 60) })}
          />
          {!options.fenceWrites && (
            <label className="flex items-center gap-2 text-amber-900">
              <input type="checkbox" data-testid="cutover-confirm" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
              The application has stopped writing to the source
            </label>
          )}
        </fieldset>
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            data-testid="cutover-start"
            disabled={!canStart || busy}
            onClick={() => void call(`${base}/cutover`, "POST", options, [202])}
            className="rounded-md bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800 disabled:opacity-50"
          >
            Start cutover
          </button>
          {cutover?.abortable && (
            <button
              type="button"
              data-testid="cutover-abort"
              disabled={busy}
              onClick={() => void call(`${base}/cutover`, "DELETE", undefined, [202])}
              className="rounded-md border border-red-300 px-3 py-1.5 font-medium text-red-700 hover:bg-red-50 disabled:opacity-50"
            >
              Abort cutover
            </button>
          )}
          <button
            type="button"
            data-testid="sequences-sync"
            disabled={busy}
            onClick={() => void syncSequences()}
            className="rounded-md border border-slate-300 px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50"
          >
            Sync sequences now
          </button>
        </div>
        {mirror.status !== "running" && !inProgress && <p className="mt-2 text-slate-500">A cutover starts from a replicating mirror (this one is {mirror.statusLabel.toLowerCase()}).</p>}
        {error && (
          <p role="alert" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-red-800">
            {error}
          </p>
        )}
        {sequences && <pre data-testid="sequences-result" className="mt-2 whitespace-pre-wrap rounded bg-slate-50 p-2 font-mono text-xs">{sequences}</pre>}
      </section>

      {cutover?.fence?.liftError && !cutover.fence.liftedAt && (
        <section role="alert" data-testid="fence-stuck" className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900">
          <h2 className="mb-1 text-base font-semibold">The source is still fenced</h2>
          <p className="mb-2">
            The cutover stopped, but giving the application its write privileges back failed: {cutover.fence.liftError} Until the fence is lifted the application cannot write to the
            mirrored tables on the source. Fix the cause and lift it here, or run this on the source:
          </p>
          <pre className="mb-2 whitespace-pre-wrap rounded bg-white p-2 font-mono text-xs">{fenceUndoSql(cutover.fence)}</pre>
          <button
            type="button"
            data-testid="cutover-unfence"
            disabled={busy}
            onClick={() => void call(`${base}/cutover/unfence`, "POST", undefined, [200])}
            className="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800 disabled:opacity-50"
          >
            Lift fence
          </button>
        </section>
      )}

      {cutover && (
        <section className="rounded-lg border border-slate-200 bg-white p-4 text-sm" data-testid="cutover-run" data-status={cutover.status}>
          <h2 className="mb-1 text-base font-semibold">
            {STATUS_TEXT[cutover.status] ?? cutover.status}
          </h2>
          <p className="mb-3 text-slate-600">
            Started {formatTime(cutover.startedAt)}
            {cutover.fencedAt && ` · fenced ${formatTime(cutover.fencedAt)}${cutover.fenceLsn ? ` at ${cutover.fenceLsn}` : ""}`}
            {cutover.finishedAt && ` · finished ${formatTime(cutover.finishedAt)}`}
          </p>
          {cutover.error && <p className="mb-3 whitespace-pre-wrap rounded-md bg-red-50 px-3 py-2 text-red-800">{cutover.error}</p>}
          <ol className="space-y-2">
            {cutover.steps.map((step, i) => (
              <Step key={step.name} index={i + 1} step={step} />
            ))}
          </ol>
          {cutover.status === "done" && <WayBack cutover={cutover} busy={busy} onCreate={(body) => call(`${base}/cutover/reverse`, "POST", body, [201])} />}
        </section>
      )}
    </div>
  );
}

function Step({ index, step }: { index: number; step: CutoverStepView }) {
  return (
    <li className="rounded-md border border-slate-100 p-3" data-testid={`cutover-step-${step.name}`} data-status={step.status}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-medium">
          {index}. {step.label}
        </span>
        <span className="flex items-center gap-2 text-xs text-slate-500">
          {step.durationMs !== null && formatDuration(step.durationMs)}
          <span className={`rounded-full px-2 py-0.5 font-medium ${STEP_STYLES[step.status] ?? ""}`}>{step.status}</span>
        </span>
      </div>
      {step.output && <p className="mt-1 whitespace-pre-wrap text-slate-600">{step.output}</p>}
    </li>
  );
}

/** After a done cutover: the way back prepared at the switch, and the button that creates the reverse mirror. */
function WayBack({ cutover, busy, onCreate }: { cutover: CutoverView; busy: boolean; onCreate: (body: unknown) => Promise<{ name: string } | null> }) {
  const reverse = (cutover.steps.find((s) => s.name === "finish")?.detail as { reverse?: ReverseRecord } | null)?.reverse;
  const [created, setCreated] = useState<string | null>(null);
  const name = created ?? reverse?.mirror ?? null;
  if (!reverse) {
    return <p className="mt-3 text-slate-600">No way back was prepared (the option was off): to go back, create a CDC mirror from the target to the source, with an initial copy.</p>;
  }
  if (!reverse.lsn) return <p className="mt-3 text-red-800">The way back could not be prepared: {reverse.error}</p>;
  return (
    <div className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3 text-slate-700" data-testid="cutover-way-back">
      {name ? (
        <p>
          Reverse mirror{" "}
          <a className="font-medium text-sky-700 underline" href={`/mirrors/${encodeURIComponent(name)}`} data-testid="reverse-mirror-link">
            {name}
          </a>{" "}
          replays the target&apos;s changes since the switch ({reverse.lsn}) into the source.
        </p>
      ) : (
        <>
          <p className="mb-2">
            Way back: slot <code>{reverse.slotName}</code> on the target holds every change made there since the switch ({reverse.lsn}). A reverse mirror replays them into the source,
            without an initial copy and without applying anything twice, so the old database stays current while the application runs on the new one. The fence stays on the
            source for the application; only pgferry&apos;s own role writes there. Until you create it, the slot keeps WAL on the target: if you will not need a way back, drop it
            there (<code>SELECT pg_drop_replication_slot(&apos;{reverse.slotName}&apos;); DROP PUBLICATION {reverse.publicationName};</code>).
          </p>
          <button
            type="button"
            data-testid="cutover-reverse-create"
            disabled={busy}
            onClick={() =>
              void onCreate({}).then((answer) => {
                if (answer) setCreated(answer.name);
              })
            }
            className="rounded-md bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800 disabled:opacity-50"
          >
            Create reverse mirror
          </button>
        </>
      )}
    </div>
  );
}

/** One numeric option of the cutover form. */
function NumberOption(props: { label: string; testId: string; min: number; value: number; onChange: (value: number) => void }) {
  return (
    <label className="flex items-center gap-2">
      {props.label}
      <input
        type="number"
        min={props.min}
        data-testid={props.testId}
        className="w-24 rounded border border-slate-300 px-2 py-1"
        value={props.value}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
    </label>
  );
}
