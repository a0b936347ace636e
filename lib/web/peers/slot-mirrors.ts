import type { PrismaClient } from "@/lib/catalog/generated/client";

export interface SlotMirror {
  mirror: string;
  slotName: string;
}

/**
 * The CDC mirrors that read from this peer, with the slot each one keeps on it: the peer page
 * shows each such slot's lag history beside the live slot list. Mirrors being deleted are left out
 * (their slot is about to go).
 */
export async function peerSlotMirrors(catalog: PrismaClient, peerName: string): Promise<SlotMirror[]> {
  const mirrors = await catalog.mirror.findMany({
    where: { source: { name: peerName }, mode: "cdc", status: { not: "deleting" } },
    select: { name: true, slotName: true },
    orderBy: { name: "asc" },
  });
  return mirrors.map((m) => ({ mirror: m.name, slotName: m.slotName }));
}
