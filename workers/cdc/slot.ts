import type { Queryable } from "@/lib/pg/describe-session";
import { formatLsn, type Lsn, parseLsn } from "@/lib/pg/lsn";
import { findSlot } from "@/lib/pg/replication";
import { CdcSetupError } from "@/workers/cdc/schema-context";

export interface SlotState {
  plugin: string;
  database: string;
  confirmedFlushLsn: Lsn;
  /** reserved / extended / unreserved / lost (PostgreSQL 13+); null before. */
  walStatus: string | null;
}

/**
 * Reads a logical slot on the source (findSlot) and checks it can feed this mirror. Throws CdcSetupError
 * with the fix when it is missing, not pgoutput, in another database, or has lost WAL.
 */
export async function readSlot(source: Queryable, slotName: string, database: string): Promise<SlotState> {
  const row = await findSlot(source, slotName);
  if (!row) {
    throw new CdcSetupError(`Replication slot ${slotName} does not exist on the source.`, "42704", "Resync the mirror to create the slot and copy the tables again.", true);
  }
  if (row.plugin !== "pgoutput") {
    throw new CdcSetupError(`Replication slot ${slotName} uses plugin ${row.plugin ?? "(physical)"}, not pgoutput.`, "55000", "Use a logical slot created with plugin pgoutput (resync the mirror).");
  }
  if (row.database !== database) {
    throw new CdcSetupError(`Replication slot ${slotName} belongs to database ${row.database}, not ${database}.`, "55000", "Point the mirror at the slot of its own database (resync the mirror).");
  }
  if (row.walStatus === "lost" || row.confirmedFlushLsn === null) {
    throw new CdcSetupError(
      `Replication slot ${slotName} can no longer get changes: the source removed WAL it needed.`,
      "55000",
      "Resync the mirror. To avoid it, keep the mirror running or raise max_slot_wal_keep_size on the source.",
      true,
    );
  }
  return { plugin: row.plugin, database: row.database, confirmedFlushLsn: parseLsn(row.confirmedFlushLsn), walStatus: row.walStatus };
}

/**
 * Where CDC starts: the later of the position stored on the target and the given start LSN
 * (after a fresh initial load), else the slot's confirmed position. Starting before the slot's
 * confirmed position is impossible (the source would silently skip the gap), so that throws.
 */
export function chooseStart(stored: Lsn | null, startLsn: Lsn | null, slot: SlotState, slotName: string): Lsn {
  let start = stored ?? 0n;
  if (startLsn !== null && startLsn > start) start = startLsn;
  if (start === 0n) return slot.confirmedFlushLsn;
  if (start < slot.confirmedFlushLsn) {
    throw new CdcSetupError(
      `The target has applied changes up to ${formatLsn(start)}, but slot ${slotName} was already confirmed up to ${formatLsn(slot.confirmedFlushLsn)}: ` +
        `the changes in between can no longer be received.`,
      "55000",
      "Something other than this mirror consumed the slot, or the target's _pgferry.cdc_progress row is stale (e.g. from an earlier mirror of the same name). Resync the mirror.",
      true,
    );
  }
  return start;
}
