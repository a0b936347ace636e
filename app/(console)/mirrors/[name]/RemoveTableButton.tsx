"use client";

import { useState } from "react";
import { apiErrorMessage } from "@/components/api-error";
import { ConfirmDialog } from "@/components/ConfirmDialog";
import { sendJson } from "@/components/send-json";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";

/**
 * Takes one table out of a CDC mirror (PATCH /api/v1/mirrors/{name} with the other tables): its changes
 * stop being applied, its target table is kept. The page's polling shows it as removed.
 */
export function RemoveTableButton({ mirror, table }: { mirror: MirrorDetail; table: MirrorTableView }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const others = mirror.tables.filter((t) => t.status !== "removed" && t.source !== table.source);
  if (table.status === "removed") return <span className="text-xs text-slate-500">removed</span>;
  if (others.length === 0 || !["running", "paused", "failed"].includes(mirror.status)) return null;

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      const tables = others.map((t) => ({ source: t.source, target: t.target, excludeColumns: t.excludeColumns, flatten: t.flatten }));
      const response = await sendJson(`/api/v1/mirrors/${encodeURIComponent(mirror.name)}`, "PATCH", { tables });
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
      <button type="button" className="rounded-md border px-2 py-0.5 text-xs font-medium text-red-700" onClick={() => setOpen(true)} data-testid="remove-table">
        Remove
      </button>
      {/* Mounted only while asked: one dialog per table row would bloat a long table (and its text). */}
      {open && (
        <ConfirmDialog
          open
          title={`Remove ${table.source} from ${mirror.name}?`}
          confirmLabel="Remove table"
          danger
          busy={busy}
          error={error}
          onConfirm={remove}
          onCancel={() => setOpen(false)}
        >
          <p className="text-sm">Its changes are no longer applied; the target table {table.target} and its counters are kept. Adding it back later (Edit) copies it again from a new snapshot.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
