import { storedSettings } from "@/lib/mirrors/settings";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { signalMirrorsChanged } from "@/lib/catalog/mirror-signal";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { transitionMirror } from "@/lib/catalog/transition-mirror";
import { type MirrorStatus, mirrorStatusesLeadingTo, RESYNCABLE_STATUSES } from "@/lib/mirrors/status";
import { resumeFailedMirror } from "./resume-failed";
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
  if (mirror.status === "cutover") {
    // The source may be fenced: the cutover must lift that (abort) before the mirror can go.
    throw new UserFacingError(`Mirror ${name} is being cut over; abort the cutover (DELETE /api/v1/mirrors/${name}/cutover) before deleting it.`, "invalid_transition", undefined, 409);
  }
  // "deleting" is an active status: the owner (or, for a finished mirror, any worker) claims the cleanup.
  // Every other status may be deleted from, so the only way this does not apply is a delete that came first.
  if (!(await transitionMirror(catalog, { id: mirror.id }, mirrorStatusesLeadingTo("deleting"), "deleting"))) return;
  await signalMirrorsChanged(catalog);
  await recordMirrorEvent(catalog, mirror.id, "info", "Deletion requested: stopping the mirror and removing its slot and publication from the source.");
}

export async function pauseMirror(catalog: PrismaClient, name: string): Promise<void> {
  await transition(catalog, name, "running", "paused", "Paused: changes are no longer applied. The source keeps WAL for the slot until you resume or delete the mirror.");
}

export async function resumeMirror(catalog: PrismaClient, name: string): Promise<void> {
  const mirror = await catalog.mirror.findUnique({ where: { name } });
  if (mirror?.status === "failed") return resumeFailedMirror(catalog, mirror);
  await transition(catalog, name, "paused", "running", "Resumed: continuous replication continues where it stopped.");
}

async function transition(catalog: PrismaClient, name: string, from: MirrorStatus, to: MirrorStatus, message: string): Promise<void> {
  const mirror = await catalog.mirror.findUnique({ where: { name } });
  if (!mirror) throw notFound(name);
  if (mirror.status === to) return;
  if (!(await transitionMirror(catalog, { id: mirror.id }, from, to))) {
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
  if (storedSettings(mirror.settings).initialLoad === false) {
    // Its setup copies nothing, so a resync would only restart replication, not repair the target.
    throw new UserFacingError(
      `Mirror ${name} has no initial load (for example a cutover's reverse mirror), so it cannot be copied again: delete it and create a CDC mirror with an initial copy.`,
      "resync_unavailable",
      undefined,
      409,
    );
  }
  if (!(await transitionMirror(catalog, { id: mirror.id }, RESYNCABLE_STATUSES, "setup", { errorMessage: null, snapshotName: null }))) {
    throw new UserFacingError(`Mirror ${name} is ${mirror.status.replace("_", " ")}; it cannot be resynced now.`, "invalid_transition", undefined, 409);
  }
  await signalMirrorsChanged(catalog);
  await recordMirrorEvent(catalog, mirror.id, "warn", "Resync requested: the target tables are emptied and copied again from a new snapshot.");
}
