import { TABLE_SYNC_LABELS, type TableSync } from "@/lib/mirrors/table-sync";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";

/**
 * When the console offers to change a mirror's tables (Edit, per-table Resync): a CDC mirror while it
 * streams (running or paused), a copy-only mirror once its copy completed. A CDC mirror that completed
 * has been cut over: its source is no longer the one to copy from. The server decides in the end
 * (lib/web/mirrors/edit.ts); this only keeps buttons away that would be refused anyway.
 */
export function canChangeTables(mirror: Pick<MirrorDetail, "mode" | "status">): boolean {
  return mirror.mode === "cdc" ? mirror.status === "running" || mirror.status === "paused" : mirror.status === "completed";
}

/** A table being copied on its own beside the mirror's stream (added or resynced); null when it streams with the others. */
export function tableSync(table: MirrorTableView): TableSync | null {
  // Optional in the type: a page served before the API carried `sync` reads it as absent.
  return (table as MirrorTableView & { sync?: TableSync | null }).sync ?? null;
}

export function tableSyncLabel(sync: TableSync): string {
  return TABLE_SYNC_LABELS[sync.kind]?.[sync.phase] ?? `${sync.kind}: ${sync.phase}`;
}
