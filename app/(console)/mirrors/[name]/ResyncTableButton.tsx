"use client";

import { sendJson } from "@/components/send-json";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";
import { ConfirmedTableAction } from "./ConfirmedTableAction";
import { canChangeTables, tableSync } from "./table-changes";

/**
 * Copies one table again (POST /api/v1/mirrors/{name}/resync with `{ tables: [it] }`) while the other
 * tables keep streaming. The page's polling shows its progress through the table's sync state.
 */
export function ResyncTableButton({ mirror, table }: { mirror: MirrorDetail; table: MirrorTableView }) {
  // A table being copied on its own has nothing to gain from a second copy, unless that copy failed.
  if (table.status === "removed" || (tableSync(table) !== null && table.status !== "failed") || !canChangeTables(mirror)) return null;
  const streaming = mirror.mode === "cdc";
  return (
    <ConfirmedTableAction
      label="Resync"
      ariaLabel={`Resync ${table.source}`}
      testId="resync-table"
      buttonClassName="border-slate-300 text-slate-800 hover:bg-slate-50"
      title={`Resync ${table.source}?`}
      confirmLabel="Resync table"
      send={() => sendJson(`/api/v1/mirrors/${encodeURIComponent(mirror.name)}/resync`, "POST", { tables: [table.source] })}
    >
      <p>
        pgferry copies {table.source} again from a new snapshot of the source into a shadow table and swaps it in for {table.target} at the end, so the old contents
        stay readable during the copy.{streaming ? " The table then follows the stream again; the other tables keep streaming throughout." : ""}
      </p>
      <p>Use it when this target table has diverged from the source.</p>
    </ConfirmedTableAction>
  );
}
