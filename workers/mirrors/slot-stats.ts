import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { PeerConnection } from "@/lib/pg/connection";
import { connectPeer } from "@/lib/pg/connect";
import { slotStats } from "@/lib/pg/replication";

/**
 * Reads the mirror's slot on the source (active, WAL retained, wal_status) and stores it on the
 * mirror row, so the UI can warn when a paused or failed mirror makes the source keep WAL.
 */
export async function refreshSlotStats(catalog: PrismaClient, mirrorId: string, source: PeerConnection, slotName: string, purpose: string): Promise<void> {
  const client = await connectPeer(source, purpose);
  try {
    const slot = await slotStats(client, slotName);
    await catalog.mirror.update({
      where: { id: mirrorId },
      data: {
        retainedBytes: slot?.restartLagBytes == null ? null : BigInt(Math.max(0, slot.restartLagBytes)),
        slotStatus: slot ? JSON.parse(JSON.stringify(slot)) : { missing: true },
        statsUpdatedAt: new Date(),
      },
    });
  } finally {
    await client.end().catch(() => {});
  }
}
