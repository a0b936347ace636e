import type { PrismaClient } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { signalMirrorsChanged } from "@/lib/catalog/mirror-signal";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { RESYNCABLE_STATUSES } from "@/lib/mirrors/status";
import { notFound } from "./views";

/**
 * Lifecycle requests. They only change the mirror's status in the catalog; the worker that owns
 * the mirror sees the change within seconds and acts (stops streaming, cleans up the source).
 */

/** Asks for the mirror to be deleted: its owner stops it, drops slot and publication, then removes it. */
export async function requestDelete(catalog: PrismaClient, name: string): Promise<void> {
  const mirror = await catalog.mirror.findUnique({ where: { name } });
  if (!mirror) throw notFound(name);
  if (mirror.status === "deleting") return;
  // "deleting" is an active status: the owner (or, for a finished mirror, any worker) claims the cleanup.
  await catalog.mirror.update({ where: { id: mirror.id }, data: { status: "deleting" } });
  await signalMirrorsChanged(catalog);
  await recordMirrorEvent(catalog, mirror.id, "info", "Deletion requested: stopping the mirror and removing its slot and publication from the source.");
}

export async function pauseMirror(catalog: PrismaClient, name: string): Promise<void> {
  await transition(catalog, name, "running", "paused", "Paused: changes are no longer applied. The source keeps WAL for the slot until you resume or delete the mirror.");
}

export async function resumeMirror(catalog: PrismaClient, name: string): Promise<void> {
  await transition(catalog, name, "paused", "running", "Resumed: continuous replication continues where it stopped.");
}

async function transition(catalog: PrismaClient, name: string, from: string, to: string, message: string): Promise<void> {
  const mirror = await catalog.mirror.findUnique({ where: { name } });
  if (!mirror) throw notFound(name);
  if (mirror.status === to) return;
  const { count } = await catalog.mirror.updateMany({ where: { id: mirror.id, status: from }, data: { status: to } });
  if (count === 0) {
    throw new UserFacingError(
      `Mirror ${name} is ${mirror.status.replace("_", " ")}; only a ${from} mirror can be ${to === "paused" ? "paused" : "resumed"}.`,
      "invalid_transition",
      undefined,
      409,
    );
  }
  await signalMirrorsChanged(catalog);
  await recordMirrorEvent(catalog, mirror.id, "info", message);
}

/**
 * Copies the mirror's tables again from a new snapshot: the owner truncates the target tables,
 * replaces the slot (CDC) and runs a new initial load, after which CDC continues from the new
 * snapshot's end. The way out of a diverged target or an invalidated slot.
 */
export async function resyncMirror(catalog: PrismaClient, name: string): Promise<void> {
  const mirror = await catalog.mirror.findUnique({ where: { name } });
  if (!mirror) throw notFound(name);
  const { count } = await catalog.mirror.updateMany({
    where: { id: mirror.id, status: { in: RESYNCABLE_STATUSES } },
    data: { status: "setup", errorMessage: null, snapshotName: null },
  });
  if (count === 0) {
    throw new UserFacingError(`Mirror ${name} is ${mirror.status.replace("_", " ")}; it cannot be resynced now.`, "invalid_transition", undefined, 409);
  }
  await signalMirrorsChanged(catalog);
  await recordMirrorEvent(catalog, mirror.id, "warn", "Resync requested: the target tables are emptied and copied again from a new snapshot.");
}
