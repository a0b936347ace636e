"use client";

import { sendJson } from "@/components/send-json";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";
import { ConfirmedTableAction } from "./ConfirmedTableAction";

/**
 * Takes one table out of a CDC mirror (PATCH /api/v1/mirrors/{name} with the other tables): its changes
 * stop being applied, its target table is kept. The page's polling shows it as removed.
 */
export function RemoveTableButton({ mirror, table }: { mirror: MirrorDetail; table: MirrorTableView }) {
  const others = mirror.tables.filter((t) => t.status !== "removed" && t.source !== table.source);
  if (table.status === "removed") return <span className="text-xs text-slate-500">removed</span>;
  if (others.length === 0 || !["running", "paused", "failed"].includes(mirror.status)) return null;
  const tables = others.map((t) => ({ source: t.source, target: t.target, excludeColumns: t.excludeColumns, flatten: t.flatten }));
  return (
    <ConfirmedTableAction
      label="Remove"
      testId="remove-table"
      buttonClassName="text-red-700"
      title={`Remove ${table.source} from ${mirror.name}?`}
      confirmLabel="Remove table"
      danger
      send={() => sendJson(`/api/v1/mirrors/${encodeURIComponent(mirror.name)}`, "PATCH", { tables })}
    >
      <p className="text-sm">
        Its changes are no longer applied; the target table {table.target} and its counters are kept. Adding it back later (Edit) copies it again from a new snapshot.
      </p>
    </ConfirmedTableAction>
  );
}
