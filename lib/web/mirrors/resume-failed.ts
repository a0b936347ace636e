import { transitionMirror } from "@/lib/catalog/transition-mirror";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { signalMirrorsChanged } from "@/lib/catalog/mirror-signal";
import { UserFacingError } from "@/lib/errors/user-facing-error";

/**
 * Resume of a failed mirror, once the user fixed the cause: back to `running`, and the worker that
 * claims it starts CDC from the position stored on the target (workers/cdc/progress.ts) — every
 * change after the last one applied, nothing twice, no new initial load. Only a CDC mirror whose
 * initial load finished has such a position; one that failed while loading must be resynced.
 */
export async function resumeFailedMirror(
  catalog: PrismaClient,
  mirror: { id: string; name: string; mode: string; loadFinishedAt: Date | null; errorMessage: string | null },
): Promise<void> {
  if (mirror.mode !== "cdc" || mirror.loadFinishedAt === null) {
    throw new UserFacingError(
      `Mirror ${mirror.name} failed before its initial load finished, so there is no replication position to resume from. Resync it to copy the tables again.`,
      "invalid_transition",
      undefined,
      409,
    );
  }
  if (!(await transitionMirror(catalog, { id: mirror.id }, "failed", "running", { errorMessage: null }))) {
    throw new UserFacingError(`Mirror ${mirror.name} is no longer failed; reload to see its status.`, "invalid_transition", undefined, 409);
  }
  await signalMirrorsChanged(catalog);
  await recordMirrorEvent(
    catalog,
    mirror.id,
    "info",
    "Resumed after a failure: replication retries from the last change applied to the target. If the cause is still there, the mirror fails again with it.",
    mirror.errorMessage ? { previousError: mirror.errorMessage } : undefined,
  );
}
