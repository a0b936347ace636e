import type { Mirror, MirrorTable } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { transitionMirror } from "@/lib/catalog/transition-mirror";
import { storedSettings } from "@/lib/mirrors/settings";
import { connectPeer } from "@/lib/pg/connect";
import { ensureLogicalSlot, ensurePublication } from "@/lib/pg/replication";
import type { RunnerContext } from "./context";
import { tableMappings } from "./load-setup";

/** Whether the mirror skips its initial load (settings.initialLoad false; older mirrors have no such setting). */
export function skipsInitialLoad(mirror: Pick<Mirror, "mode" | "settings">): boolean {
  return mirror.mode === "cdc" && storedSettings(mirror.settings).initialLoad === false;
}

/**
 * setup of a CDC mirror without initial load: the target tables already hold the source's rows, so
 * replication alone takes over. The publication exists before the slot, so the slot's first change
 * is already published; the slot is created here unless it exists (a cutover's reverse mirror: its
 * finish step created both at the switch, and the mirror's consistent point is that slot's).
 * Idempotent: a retry finds the slot and its unchanged consistent point.
 */
export async function startWithoutLoad(ctx: RunnerContext, mirror: Mirror & { tables: MirrorTable[] }): Promise<void> {
  const source = await connectPeer(await loadPeerConnection(ctx.catalog, mirror.sourcePeerId), `setup:${mirror.name}`);
  try {
    await ensurePublication(source, mirror.publicationName, tableMappings(mirror.tables).map((m) => m.source));
    const slot = await ensureLogicalSlot(source, mirror.slotName);
    const start = mirror.consistentPoint ?? slot.consistentPoint;
    const moved = await transitionMirror(ctx.catalog, { id: mirror.id }, "setup", "running", { consistentPoint: start, errorMessage: null });
    if (moved) {
      await recordMirrorEvent(
        ctx.catalog,
        mirror.id,
        "info",
        `No initial load: the target tables already hold the source's rows. Continuous replication starts at ${start} (slot ${mirror.slotName}${slot.created ? ", created now" : ""}).`,
      );
    }
  } finally {
    await source.end().catch(() => {});
  }
}
