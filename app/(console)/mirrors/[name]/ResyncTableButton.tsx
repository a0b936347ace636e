"use client";

import { useState } from "react";
import { apiErrorMessage } from "@/components/api-error";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { sendJson } from "@/components/send-json";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";
import { canChangeTables, tableSync } from "./table-changes";

/**
 * Copies one table again (POST /api/v1/mirrors/{name}/resync with `{ tables: [it] }`) while the other
 * tables keep streaming. The page's polling shows its progress through the table's sync state.
 */
export function ResyncTableButton({ mirror, table }: { mirror: MirrorDetail; table: MirrorTableView }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A table being copied on its own has nothing to gain from a second copy, unless that copy failed.
  if (table.status === "removed" || (tableSync(table) !== null && table.status !== "failed") || !canChangeTables(mirror)) return null;

  async function resync() {
    setBusy(true);
    setError(null);
    try {
      const response = await sendJson(`/api/v1/mirrors/${encodeURIComponent(mirror.name)}/resync`, "POST", { tables: [table.source] });
      if (response.ok) setOpen(false);
      else setError(await apiErrorMessage(response));
    } catch {
      setError("pgferry could not be reached.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="rounded-md border border-slate-300 px-2 py-0.5 text-xs font-medium text-slate-800 hover:bg-slate-50"
        onClick={() => setOpen(true)}
        aria-label={`Resync ${table.source}`}
        data-testid="resync-table"
      >
        Resync
      </button>
      {/* Mounted only while asked: one dialog per table row would bloat a long table (and its text). */}
      {open && (
        <ConfirmDialog open title={`Resync ${table.source}?`} confirmLabel="Resync table" busy={busy} error={error} onConfirm={resync} onCancel={() => setOpen(false)}>
          <p>
            pgferry copies {table.source} again from a new snapshot of the source into a shadow table and swaps it in for {table.target} at the end, so the old
            contents stay readable during the copy. The table then follows the stream again; the other tables keep streaming throughout.
          </p>
          <p>Use it when this target table has diverged from the source.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
