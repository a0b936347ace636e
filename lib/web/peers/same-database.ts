import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { PeerWarning } from "@/lib/web/peers/validate";

/** Where a peer points: what two peers must share to be the same database. */
export interface PeerAddress {
  host: string;
  port: number;
  database: string;
}

/**
 * A warning when other saved peers point at the same host, port and database (a second name for
 * one database is allowed: e.g. another user, or another TLS mode), or null. Host names are
 * compared without case, as DNS does; "localhost" and "127.0.0.1" are not resolved to find out
 * that they are one server, so this catches the plain repeat only. `exceptId` leaves out the peer
 * being edited. Read-only.
 */
export async function sameDatabaseWarning(catalog: PrismaClient, address: PeerAddress, exceptId?: string): Promise<PeerWarning | null> {
  const others = await catalog.peer.findMany({
    where: {
      host: { equals: address.host, mode: "insensitive" },
      port: address.port,
      database: address.database,
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
    select: { name: true },
    orderBy: { name: "asc" },
  });
  if (!others.length) return null;
  const names = others.map((p) => `"${p.name}"`).join(", ");
  const which = others.length === 1 ? `Peer ${names} already points` : `Peers ${names} already point`;
  return {
    code: "peer_same_database",
    message: `${which} at database "${address.database}" on ${address.host}:${address.port}.`,
    fix: "Saving another peer for it is allowed; check that this is the database you mean, or use the existing peer.",
    peers: others.map((p) => p.name),
  };
}
