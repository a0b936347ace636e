import type { PrismaClient } from "@/lib/catalog/generated/client";
import { ACTIVE_STATUSES } from "@/lib/mirrors/status";
import { OFFLINE_AFTER_MS } from "@/lib/catalog/workers";

/**
 * Ownership of mirrors: each active mirror is driven by exactly one worker at a time, the one
 * whose lease (mirrors.owner_worker_id, lease_expires_at) is current. The owner renews it every
 * few seconds; a worker that dies stops renewing, and another worker takes the mirror over once
 * the lease expires, or at once when the owner is seen offline.
 */

/** How long a claim holds without renewal. Default: 15 s (renewed every 3 s), so failover takes at most ~18 s. */
export const LEASE_MS = 15_000;
export const RENEW_EVERY_MS = 3_000;

/** Renews this worker's leases; returns the IDs of the mirrors it still owns. */
export async function renewLeases(catalog: PrismaClient, workerId: string): Promise<Set<string>> {
  const rows = await catalog.$queryRaw<{ id: string }[]>`
    UPDATE mirrors SET lease_expires_at = now() + make_interval(secs => ${LEASE_MS / 1000})
    WHERE owner_worker_id = ${workerId} AND status = ANY(${ACTIVE_STATUSES}::text[])
    RETURNING id::text`;
  return new Set(rows.map((r) => r.id));
}

/**
 * Claims one active mirror that nobody owns (or whose owner's lease expired, or whose owner
 * stopped heartbeating). Atomic: two workers never claim the same mirror. Returns its ID or null.
 */
export async function claimOneMirror(catalog: PrismaClient, workerId: string): Promise<string | null> {
  const rows = await catalog.$queryRaw<{ id: string }[]>`
    UPDATE mirrors SET owner_worker_id = ${workerId}, lease_expires_at = now() + make_interval(secs => ${LEASE_MS / 1000})
    WHERE id = (
      SELECT m.id FROM mirrors m
      LEFT JOIN workers w ON w.id = m.owner_worker_id
      WHERE m.status = ANY(${ACTIVE_STATUSES}::text[])
        AND (m.owner_worker_id IS NULL OR m.lease_expires_at < now() OR w.id IS NULL OR w.stopped_at IS NOT NULL
             OR w.last_seen_at < now() - make_interval(secs => ${OFFLINE_AFTER_MS / 1000}))
        AND m.owner_worker_id IS DISTINCT FROM ${workerId}
      ORDER BY m.created_at
      LIMIT 1
      FOR UPDATE OF m SKIP LOCKED
    )
    RETURNING id::text`;
  return rows[0]?.id ?? null;
}

/** Gives up this worker's leases (graceful shutdown), so another worker takes over at once. */
export async function releaseLeases(catalog: PrismaClient, workerId: string): Promise<void> {
  await catalog.mirror.updateMany({ where: { ownerWorkerId: workerId }, data: { ownerWorkerId: null, leaseExpiresAt: null } });
}
