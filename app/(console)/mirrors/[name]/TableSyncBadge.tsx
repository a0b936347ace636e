import type { MirrorTableView } from "@/lib/web/mirrors/views";
import { tableSync, tableSyncLabel } from "./table-changes";

/** "Adding: copying", "Resync: catching up"… while a table is copied on its own; nothing once it streams with the others. */
export function TableSyncBadge({ table, className = "" }: { table: MirrorTableView; className?: string }) {
  const sync = tableSync(table);
  if (!sync) return null;
  return (
    <span className={`${className} inline-block rounded-full bg-violet-50 px-2 py-0.5 font-sans text-xs font-medium whitespace-nowrap text-violet-800`.trim()} data-testid="table-sync" data-phase={sync.phase}>
      {tableSyncLabel(sync)}
    </span>
  );
}
