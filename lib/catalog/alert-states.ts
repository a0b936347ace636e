import { ALERT_REPEAT_MS, type AlertKind } from "@/lib/alerts/kinds";
import type { PrismaClient } from "./generated/client";

/**
 * Per mirror and alert kind, whether the operator has been told it holds (`firing`) and when an
 * alert was last sent. Both changes are compare-and-set, so of several workers evaluating the same
 * mirror only one sends, and a kind is sent at most once per ALERT_REPEAT_MS per mirror.
 */

/** Marks `kind` as told for the mirror; true when the caller should send it now. */
export async function claimAlert(catalog: PrismaClient, mirrorId: string, kind: AlertKind, cause: string): Promise<boolean> {
  const rows = await catalog.$queryRaw<{ ok: number }[]>`
    INSERT INTO alert_states (mirror_id, kind, firing, cause, last_sent_at, updated_at)
    VALUES (${mirrorId}::uuid, ${kind}, true, ${cause}, now(), now())
    ON CONFLICT (mirror_id, kind) DO UPDATE SET firing = true, cause = excluded.cause, last_sent_at = now(), updated_at = now()
    WHERE alert_states.firing = false
      AND (alert_states.last_sent_at IS NULL OR alert_states.last_sent_at < now() - make_interval(secs => ${ALERT_REPEAT_MS / 1000}))
    RETURNING 1 AS ok`;
  return rows.length > 0;
}

/** Kinds the operator was told hold for the mirror. */
export async function firingAlerts(catalog: PrismaClient, mirrorId: string): Promise<AlertKind[]> {
  const rows = await catalog.alertState.findMany({ where: { mirrorId, firing: true }, select: { kind: true } });
  return rows.map((r) => r.kind as AlertKind);
}

/** Marks `kind` as no longer holding; true when the caller should send `resolved` now. */
export async function claimResolved(catalog: PrismaClient, mirrorId: string, kind: AlertKind): Promise<boolean> {
  const { count } = await catalog.alertState.updateMany({ where: { mirrorId, kind, firing: true }, data: { firing: false } });
  return count > 0;
}

/** When the mirror's slot was last seen streaming (or first measured, if never), by its lag history. */
export async function slotIdleSince(catalog: PrismaClient, mirrorId: string): Promise<Date | null> {
  const rows = await catalog.$queryRaw<{ since: Date | null }[]>`
    SELECT coalesce(max(sampled_at) FILTER (WHERE slot_active), min(sampled_at)) AS since
    FROM mirror_lag_samples WHERE mirror_id = ${mirrorId}::uuid`;
  return rows[0]?.since ?? null;
}
