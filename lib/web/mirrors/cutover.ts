import { z } from "zod";
import type { Prisma, PrismaClient } from "@/lib/catalog/generated/client";
import { requestCutoverAbort } from "@/lib/catalog/cutover-abort";
import { startCutoverRun } from "@/lib/catalog/cutover-start";
import { cutoverOptionsSchema, fenceUndoSql } from "@/lib/catalog/cutover-status";
import { type CutoverView, latestCutoverView } from "@/lib/catalog/cutover-view";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { signalMirrorsChanged } from "@/lib/catalog/mirror-signal";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { classifyError } from "@/lib/errors/classify";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { connectPeer } from "@/lib/pg/connect";
import { grantTablePrivileges } from "@/lib/pg/grants";
import { type SequenceSyncResult, syncSequences } from "@/lib/pg/sequences";
import { notFound } from "./views";
import { CURRENT_TABLES } from "@/lib/catalog/current-tables";

/**
 * The cutover as the API and the Cutover tab use it. The web app only records requests (start, abort);
 * the mirror's runner does the work (workers/mirrors/cutover-phase.ts). Syncing sequences on demand is
 * the exception: two short statements per sequence, answered directly.
 */

export { cutoverOptionsSchema };

/** `POST /api/v1/mirrors/{name}/sequences/sync`. Default margin: 0. */
export const sequenceSyncSchema = z
  .object({
    margin: z.number().int({ error: "The margin must be a whole number." }).min(0, { error: "The margin cannot be negative." }).max(1_000_000_000).default(0),
  })
  .strict();

/** Starts a cutover of a running CDC mirror; 409 otherwise. Answers with the cutover as it is now. */
export async function startCutover(catalog: PrismaClient, name: string, input: unknown): Promise<CutoverView> {
  const options = cutoverOptionsSchema.parse(input ?? {});
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true, mode: true, status: true } });
  if (!mirror) throw notFound(name);
  if (mirror.mode !== "cdc") {
    throw new UserFacingError(`Mirror ${name} copies once and does not replicate; there is nothing to cut over from.`, "cutover_unavailable", undefined, 409);
  }
  if (mirror.status === "cutover") throw new UserFacingError(`Mirror ${name} is already being cut over.`, "cutover_running", undefined, 409);
  if (mirror.status !== "running") {
    throw new UserFacingError(
      `Mirror ${name} is ${mirror.status.replace("_", " ")}; a cutover starts from a replicating (running) mirror.`,
      "cutover_unavailable",
      undefined,
      409,
    );
  }
  // Tables being added or resynced are not yet applied by the stream the cutover drains.
  const syncing = await catalog.mirrorTable.count({ where: { mirrorId: mirror.id, syncKind: { not: null }, status: { notIn: ["removed", "failed"] } } });
  if (syncing > 0) {
    throw new UserFacingError(`${syncing} table(s) of mirror ${name} are being added or resynced; cut over once they replicate with the others.`, "cutover_unavailable", undefined, 409);
  }
  const id = await startCutoverRun(catalog, mirror.id, options);
  if (!id) throw new UserFacingError(`Mirror ${name} stopped replicating meanwhile; try again once it runs.`, "cutover_unavailable", undefined, 409);
  await signalMirrorsChanged(catalog);
  await recordMirrorEvent(catalog, mirror.id, "info", "Cutover requested.", { cutover: id, ...options });
  return (await latestCutoverView(catalog, mirror.id))!;
}

/** Aborts the running cutover before the switch; 409 when there is none or it already switched. */
export async function abortCutover(catalog: PrismaClient, name: string): Promise<CutoverView> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true } });
  if (!mirror) throw notFound(name);
  const current = await latestCutoverView(catalog, mirror.id);
  if (!current || (current.status !== "running" && current.status !== "aborting")) {
    throw new UserFacingError(`Mirror ${name} has no cutover in progress.`, "cutover_not_running", undefined, 409);
  }
  if (current.status === "running" && !(await requestCutoverAbort(catalog, current.id))) {
    throw new UserFacingError(`The cutover of ${name} already reached the switch (replication stopped); it can no longer be aborted.`, "cutover_switched", undefined, 409);
  }
  await signalMirrorsChanged(catalog);
  await recordMirrorEvent(catalog, mirror.id, "info", "Cutover abort requested: the fence is lifted and replication continues.", { cutover: current.id });
  return (await latestCutoverView(catalog, mirror.id))!;
}

/** The mirror's latest cutover; 404 for an unknown mirror, null when it never had one. */
export async function getCutover(catalog: PrismaClient, name: string): Promise<CutoverView | null> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true } });
  if (!mirror) throw notFound(name);
  return latestCutoverView(catalog, mirror.id);
}

/**
 * Sets the target's sequences of the mirror's tables to the source's values (+ margin), never backwards,
 * and reports each. 409 while the mirror is being set up, loaded or deleted.
 */
export async function syncMirrorSequences(catalog: PrismaClient, name: string, input: unknown): Promise<{ sequences: SequenceSyncResult[] }> {
  const { margin } = sequenceSyncSchema.parse(input ?? {});
  // Removed tables (lib/web/mirrors/edit.ts) are history: no longer mirrored, so left out.
  const mirror = await catalog.mirror.findUnique({ where: { name }, include: CURRENT_TABLES });
  if (!mirror) throw notFound(name);
  if (!["running", "paused", "cutover", "completed", "failed"].includes(mirror.status)) {
    throw new UserFacingError(`Mirror ${name} is ${mirror.status.replace("_", " ")}; sequences can be synced once its tables exist on the target.`, "sequences_unavailable", undefined, 409);
  }
  const [sourcePeer, targetPeer] = await Promise.all([loadPeerConnection(catalog, mirror.sourcePeerId), loadPeerConnection(catalog, mirror.targetPeerId)]);
  const source = await connectPeer(sourcePeer, `sequences:${name}`);
  try {
    const target = await connectPeer(targetPeer, `sequences:${name}`);
    try {
      const mapping = mirror.tables.map((t) => ({
        source: { schema: t.sourceSchema, name: t.sourceTable },
        target: { schema: t.targetSchema, name: t.targetTable },
        excludeColumns: t.excludeColumns,
      }));
      const sequences = await syncSequences(source, target, mapping, { margin: BigInt(margin) });
      const set = sequences.filter((s) => s.status === "set").length;
      await recordMirrorEvent(catalog, mirror.id, "info", `Sequences synced: ${set} of ${sequences.length} set (margin ${margin}).`);
      return { sequences };
    } finally {
      await target.end().catch(() => {});
    }
  } finally {
    await source.end().catch(() => {});
  }
}

/**
 * `POST …/cutover/unfence`: grants back what the fence of the latest cutover revoked when its runner could not
 * (`fence.liftError`), answered directly (one GRANT per revoked privilege). Only for a cutover that stopped
 * before the switch: after a done cutover the source stays fenced on purpose, and a running one lifts its own.
 */
export async function unfenceCutover(catalog: PrismaClient, name: string): Promise<CutoverView> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true, sourcePeerId: true } });
  if (!mirror) throw notFound(name);
  const current = await latestCutoverView(catalog, mirror.id);
  if (!current?.fence || current.fence.liftedAt) throw new UserFacingError(`The source of ${name} is not fenced by a cutover.`, "not_fenced", undefined, 409);
  if (current.status === "running" || current.status === "aborting") {
    throw new UserFacingError(`The cutover of ${name} is still running; abort it and its worker lifts the fence.`, "cutover_running", undefined, 409);
  }
  if (current.status === "done") {
    throw new UserFacingError(
      `The cutover of ${name} is done: the source stays fenced so the application writes only to the target. To lift it anyway, run on the source:\n${fenceUndoSql(current.fence)}`,
      "cutover_switched",
      undefined,
      409,
    );
  }
  const record = current.fence;
  const source = await connectPeer(await loadPeerConnection(catalog, mirror.sourcePeerId), `unfence:${name}`);
  try {
    await grantTablePrivileges(source, record.revoked);
  } catch (error) {
    const classified = classifyError(error);
    const why = classified.fix ? `${classified.message} Fix: ${classified.fix}` : classified.message;
    await catalog.cutover.update({ where: { id: current.id }, data: { fence: { ...record, liftError: why } as unknown as Prisma.InputJsonValue } });
    throw new UserFacingError(`Lifting the fence failed again: ${why}`, "unfence_failed", undefined, 409);
  } finally {
    await source.end().catch(() => {});
  }
  const { liftError: _previous, ...rest } = record;
  await catalog.cutover.update({ where: { id: current.id }, data: { fence: { ...rest, liftedAt: new Date().toISOString() } as unknown as Prisma.InputJsonValue } });
  await recordMirrorEvent(catalog, mirror.id, "info", `Fence lifted: ${record.revoked.length} write privileges restored on the source.`, { cutover: current.id });
  return (await latestCutoverView(catalog, mirror.id))!;
}

