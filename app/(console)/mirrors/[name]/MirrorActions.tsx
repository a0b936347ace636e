"use client";

import { useState } from "react";
import { apiErrorMessage } from "@/components/api-error";
import { sendJson } from "@/components/send-json";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { canPause, canResume, canResync } from "@/lib/mirrors/status";
import type { MirrorDetail } from "@/lib/web/mirrors/views";
import { useGoneRedirect } from "./useGoneRedirect";
import { EditMirrorDialog } from "./EditMirrorDialog";
import { canEditMirror } from "./table-changes";

const BUTTON = "rounded-md border px-3 py-1.5 text-sm font-medium disabled:opacity-50";

/** The actions that ask first, with what their dialog's title and button say. */
const CONFIRMED = {
  resync: { title: "Resync mirror", confirmLabel: "Resync" },
  delete: { title: "Delete mirror", confirmLabel: "Delete mirror" },
} as const;
type Confirmed = keyof typeof CONFIRMED;

/** Pause / Resume (CDC), Edit (tables and settings, in a dialog), Resync and Delete with confirmation; after a delete, waits for the mirror to be gone. */
export function MirrorActions({ mirror, deleting, onDeleting, onChanged }: { mirror: MirrorDetail; deleting: boolean; onDeleting: () => void; onChanged: () => Promise<void> | void }) {
  const url = `/api/v1/mirrors/${encodeURIComponent(mirror.name)}`;
  const [busy, setBusy] = useState<"pause" | "resume" | "resync" | "delete" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Confirmed | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  useGoneRedirect(url, deleting, "/mirrors");

  async function lifecycle(action: "pause" | "resume" | "resync") {
    setBusy(action);
    setError(null);
    try {
      const response = await sendJson(`${url}/${action}`, "POST");
      if (!response.ok) setError(await apiErrorMessage(response));
      await onChanged();
    } catch {
      setError("pgferry could not be reached.");
    } finally {
      setBusy(null);
    }
  }

  async function remove() {
    setBusy("delete");
    setDeleteError(null);
    try {
      const response = await sendJson(url, "DELETE");
      // 404: someone else deleted it already; the redirect will notice.
      if (response.ok || response.status === 404) {
        setConfirming(null);
        onDeleting();
      } else {
        setDeleteError(await apiErrorMessage(response));
      }
    } catch {
      setDeleteError("pgferry could not be reached.");
    } finally {
      setBusy(null);
    }
  }

  async function resync() {
    await lifecycle("resync");
    setConfirming(null);
  }

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap gap-2">
        {mirror.mode === "cdc" && canPause(mirror.status) && !deleting && (
          <button type="button" onClick={() => lifecycle("pause")} disabled={busy !== null} className={`${BUTTON} border-slate-300 bg-white text-slate-800 hover:bg-slate-50`}>
            {busy === "pause" ? "Pausing…" : "Pause"}
          </button>
        )}
        {mirror.mode === "cdc" && canResume(mirror.status) && !deleting && (
          <button type="button" onClick={() => lifecycle("resume")} disabled={busy !== null} className={`${BUTTON} border-sky-700 bg-sky-700 text-white hover:bg-sky-800`}>
            {busy === "resume" ? "Resuming…" : "Resume"}
          </button>
        )}
        {canEditMirror(mirror) && !deleting && (
          <button type="button" onClick={() => setEditing(true)} disabled={busy !== null} className={`${BUTTON} border-slate-300 bg-white text-slate-800 hover:bg-slate-50`}>
            Edit
          </button>
        )}
        {canResync(mirror.status) && !deleting && (
          <button type="button" onClick={() => setConfirming("resync")} disabled={busy !== null} className={`${BUTTON} border-slate-300 bg-white text-slate-800 hover:bg-slate-50`}>
            {busy === "resync" ? "Resyncing…" : "Resync"}
          </button>
        )}
        <button
          type="button"
          onClick={() => setConfirming("delete")}
          disabled={busy !== null || deleting}
          className={`${BUTTON} border-red-200 bg-white text-red-700 hover:bg-red-50`}
        >
          {deleting ? "Deleting…" : "Delete"}
        </button>
      </div>
      {error && (
        <p role="alert" className="max-w-sm text-right text-sm text-red-700">
          {error}
        </p>
      )}
      {editing && <EditMirrorDialog mirror={mirror} onClose={() => setEditing(false)} onSaved={onChanged} />}
      {(Object.keys(CONFIRMED) as Confirmed[]).map((action) => (
        <ConfirmDialog
          key={action}
          open={confirming === action}
          title={`${CONFIRMED[action].title} ${mirror.name}?`}
          confirmLabel={CONFIRMED[action].confirmLabel}
          danger
          busy={busy === action}
          error={action === "delete" ? deleteError : null}
          onConfirm={action === "delete" ? remove : resync}
          onCancel={() => setConfirming(null)}
        >
          <Consequences action={action} mirror={mirror} />
        </ConfirmDialog>
      ))}
    </div>
  );
}

/** What the confirmed action does, said before the user confirms it. */
function Consequences({ action, mirror }: { action: Confirmed; mirror: MirrorDetail }) {
  if (action === "resync") {
    return (
      <>
        <p>
          pgferry empties the target tables of this mirror and copies them again from a new snapshot of the source
          {mirror.mode === "cdc" ? `, replacing the replication slot ${mirror.slotName}; continuous replication then continues from the new snapshot's end` : ""}.
        </p>
        <p>Use it when the target has diverged from the source, or when the slot was invalidated.</p>
      </>
    );
  }
  return (
    <>
      <p>
        pgferry stops the mirror{mirror.mode === "cdc" ? ` and drops the replication slot ${mirror.slotName} and the publication ${mirror.publicationName} from the source, so it no longer retains WAL` : ""}, and removes its own bookkeeping from the target.
      </p>
      <p>The tables and rows already copied to the target are kept. This cannot be undone.</p>
    </>
  );
}
