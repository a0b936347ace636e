import type { Mirror, PrismaClient } from "@/lib/catalog/generated/client";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { clearMirrorBookkeeping } from "@/lib/mirrors/target-bookkeeping";
import { withPeerSession } from "@/lib/pg/connect";
import { dropPublication, dropSlot } from "@/lib/pg/replication";
import { deleteProgress } from "@/workers/cdc/progress";

/**
 * What a table sync round creates besides the mirror's own objects: on the source a slot (whose
 * exported snapshot the tables are copied from, and which then streams their changes until the
 * handover) and a publication of just those tables; on the target a progress row and copy
 * bookkeeping under their own key. One round at a time per mirror, so fixed names.
 */
export function syncObjects(mirror: Pick<Mirror, "id" | "name">): { slotName: string; publicationName: string; key: string } {
  const id = mirror.id.replace(/-/g, "").slice(0, 20);
  return { slotName: `pgferry_sync_${id}`, publicationName: `pgferry_sync_${id}`, key: `${mirror.name}#sync` };
}

/**
 * Drops a round's slot and publication, and its rows on the target. Idempotent: after a finished
 * round, a whole-mirror resync or the mirror's deletion, nothing of it may keep WAL on the source.
 */
export async function dropSyncObjects(catalog: PrismaClient, mirror: Mirror): Promise<void> {
  const { slotName, publicationName, key } = syncObjects(mirror);
  const purpose = `sync:${mirror.name}:cleanup`;
  await withPeerSession(await loadPeerConnection(catalog, mirror.sourcePeerId), purpose, async (source) => {
    await dropSlot(source, slotName);
    await dropPublication(source, publicationName);
  });
  await withPeerSession(await loadPeerConnection(catalog, mirror.targetPeerId), purpose, async (target) => {
    await clearMirrorBookkeeping(target, key);
    await deleteProgress(target, key);
  });
}
