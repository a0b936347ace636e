import { TABLE_SYNC_LABELS, type TableSync } from "@/lib/mirrors/table-sync";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";

/**
 * When the console offers to change a running mirror. The server decides in the end
 * (lib/web/mirrors/edit.ts, resync-tables.ts); these only keep away buttons that would be refused.
 */

/**
 * Edit (settings, and tables where allowed): a CDC mirror while it streams (running or paused), a
 * copy-only mirror once its copy completed. A CDC mirror that completed has been cut over.
 */
export function canEditMirror(mirror: Pick<MirrorDetail, "mode" | "status">): boolean {
  return mirror.mode === "cdc" ? canChangeTables(mirror) : mirror.status === "completed";
}

/**
 * Adding and resyncing single tables: a CDC mirror while it streams or is paused, a copy-only mirror
 * once its copy completed (the server refuses removing a copy-only mirror's tables, and says why).
 */
export function canChangeTables(mirror: Pick<MirrorDetail, "mode" | "status">): boolean {
  return mirror.mode === "cdc" ? mirror.status === "running" || mirror.status === "paused" : mirror.status === "completed";
}

/** A table being copied on its own beside the mirror's stream (added or resynced); null when it streams with the others. */
export function tableSync(table: MirrorTableView): TableSync | null {
  return table.sync ?? null;
}

export function tableSyncLabel(sync: TableSync): string {
  return TABLE_SYNC_LABELS[sync.kind]?.[sync.phase] ?? `${sync.kind}: ${sync.phase}`;
}
