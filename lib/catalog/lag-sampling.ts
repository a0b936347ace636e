import type { PrismaClient } from "./generated/client";

/**
 * Lag sampling in the catalog: which worker measures which mirror next (a claim per mirror in
 * `mirror_monitors`, so exactly one worker samples each mirror per interval, and another takes
 * over when that worker dies), and where a sample goes (the mirror row and its lag history).
 */

/** Statuses in which a CDC mirror has a slot on its source that keeps WAL. */
export const SLOT_HOLDING_STATUSES = ["initial_load", "running", "paused", "cutover", "failed"] as const;

export interface MirrorToSample {
  id: string;
  name: string;
  status: string;
  mode: string;
  slotName: string;
  sourcePeerId: string;
  lastAppliedLsn: string | null;
}

/**
 * Claims up to `limit` mirrors that are due (never sampled, or their next sample time passed) and
 * sets their next sample `intervalMs` ahead. Every mirror except one being deleted is monitored
 * (alerts look at failed copy-only mirrors too); the caller measures only those with a slot.
 * Atomic: two workers never claim the same mirror for the same interval.
 */
export async function claimMirrorsToSample(catalog: PrismaClient, workerId: string, intervalMs: number, limit = 50): Promise<MirrorToSample[]> {
  await catalog.$executeRaw`
    INSERT INTO mirror_monitors (mirror_id) SELECT id FROM mirrors WHERE status <> 'deleting' ON CONFLICT DO NOTHING`;
  return catalog.$queryRaw<MirrorToSample[]>`
    WITH due AS (
      SELECT mm.mirror_id FROM mirror_monitors mm JOIN mirrors m ON m.id = mm.mirror_id
      WHERE mm.next_sample_at <= now() AND m.status <> 'deleting'
      ORDER BY mm.next_sample_at LIMIT ${limit}
      FOR UPDATE OF mm SKIP LOCKED
    ), claimed AS (
      UPDATE mirror_monitors mm SET next_sample_at = now() + make_interval(secs => ${intervalMs / 1000}), sampled_by = ${workerId}
      FROM due WHERE mm.mirror_id = due.mirror_id RETURNING mm.mirror_id
    )
    SELECT m.id::text AS id, m.name, m.status, m.mode, m.slot_name AS "slotName", m.source_peer_id::text AS "sourcePeerId",
           m.last_applied_lsn AS "lastAppliedLsn"
    FROM claimed JOIN mirrors m ON m.id = claimed.mirror_id`;
}

export interface LagSample {
  /** The source's WAL position when measured. */
  sourceLsn: string;
  lagBytes: bigint;
  /** null: keep what the mirror row says (the CDC stream's own estimate while it streams). */
  lagSeconds: number | null;
  retainedBytes: bigint | null;
  slotActive: boolean | null;
  /** The slot as introspect/slots reads it, or { missing: true }. */
  slotStatus: Record<string, unknown>;
  /** Write lag figures on the mirror row (false while a CDC stream measures them itself). */
  writeLag: boolean;
}

/** Stores a sample on the mirror row and in its lag history. A mirror deleted meanwhile is skipped. */
export async function recordLagSample(catalog: PrismaClient, mirrorId: string, sample: LagSample): Promise<void> {
  const now = new Date();
  const { count } = await catalog.mirror.updateMany({
    where: { id: mirrorId, status: { not: "deleting" } },
    data: {
      retainedBytes: sample.retainedBytes,
      slotStatus: JSON.parse(JSON.stringify(sample.slotStatus)),
      statsUpdatedAt: now,
      ...(sample.writeLag ? { lagBytes: sample.lagBytes, ...(sample.lagSeconds === null ? {} : { lagSeconds: sample.lagSeconds }) } : {}),
    },
  });
  if (count === 0) return;
  await catalog.mirrorMonitor.updateMany({ where: { mirrorId }, data: { sampledAt: now } });
  await catalog.mirrorLagSample.create({
    data: {
      mirrorId,
      sampledAt: now,
      sourceLsn: sample.sourceLsn,
      lagBytes: sample.lagBytes,
      lagSeconds: sample.lagSeconds,
      retainedBytes: sample.retainedBytes,
      slotActive: sample.slotActive,
    },
  });
}

/**
 * When the source first moved past `appliedLsn`, by the mirror's lag history: the start of what
 * the target has not applied, so now minus it estimates lag in seconds without writing to the
 * source. Null when no sample is past it (nothing has been waiting long enough to be seen).
 */
export async function waitingSince(catalog: PrismaClient, mirrorId: string, appliedLsn: string): Promise<Date | null> {
  const rows = await catalog.$queryRaw<{ since: Date | null }[]>`
    SELECT min(sampled_at) AS since FROM mirror_lag_samples
    WHERE mirror_id = ${mirrorId}::uuid AND source_lsn::pg_lsn > ${appliedLsn}::pg_lsn
      AND sampled_at > (SELECT coalesce(max(sampled_at), '-infinity') FROM mirror_lag_samples
                        WHERE mirror_id = ${mirrorId}::uuid AND source_lsn::pg_lsn <= ${appliedLsn}::pg_lsn)`;
  return rows[0]?.since ?? null;
}
