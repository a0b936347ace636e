/**
 * Copying single tables of a running CDC mirror while its other tables keep streaming: a table added
 * by PATCH /api/v1/mirrors/{name}, or one resynced by POST …/resync with a table list.
 *
 *   queued ──► copying ──► catching_up ──► (null: the table streams with the others)
 *     ▲           │
 *     └───────────┘ the worker stopped mid-copy: the copy starts over from a new snapshot
 *
 * The worker (workers/mirrors/table-sync/*) takes every queued table into one round; a table queued
 * during a round waits for the next. The catalog refuses other values (CHECK mirror_tables_sync_check).
 */
export const TABLE_SYNC_KINDS = ["add", "resync"] as const;
export type TableSyncKind = (typeof TABLE_SYNC_KINDS)[number];

export const TABLE_SYNC_PHASES = ["queued", "copying", "catching_up"] as const;
export type TableSyncPhase = (typeof TABLE_SYNC_PHASES)[number];

export interface TableSync {
  kind: TableSyncKind;
  phase: TableSyncPhase;
}

/** The catalog's two columns as one value; null when the table streams with the others. */
export function tableSyncOf(row: { syncKind: string | null; syncPhase: string | null }): TableSync | null {
  if (row.syncKind === null || row.syncPhase === null) return null;
  return { kind: row.syncKind as TableSyncKind, phase: row.syncPhase as TableSyncPhase };
}

export const TABLE_SYNC_LABELS: Record<TableSyncKind, Record<TableSyncPhase, string>> = {
  add: { queued: "Adding: waiting", copying: "Adding: copying", catching_up: "Adding: catching up" },
  resync: { queued: "Resync: waiting", copying: "Resync: copying", catching_up: "Resync: catching up" },
};

/** What pickRound needs of a table row. */
export interface SyncingTable {
  syncKind: string | null;
  syncPhase: string | null;
  status: string;
}

/**
 * The tables of the next round: those of an interrupted round (copying or catching up), else every
 * queued table of the first queued kind (a round copies added tables with their pre-data, or
 * resynced ones into shadows, not both). Tables whose last round failed wait for a new request.
 */
export function pickRound<T extends SyncingTable>(tables: T[]): T[] {
  const syncing = tables.filter((t) => tableSyncOf(t) && t.status !== "failed");
  const interrupted = syncing.filter((t) => t.syncPhase !== "queued");
  if (interrupted.length > 0) return interrupted;
  return syncing.filter((t) => t.syncKind === syncing[0]?.syncKind);
}
