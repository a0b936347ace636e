import type { PrismaClient } from "@/lib/catalog/generated/client";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { createPeer, getPeer, type SavedPeer, updatePeer } from "@/lib/web/peers/service";

export const DEMO_PEERS = { source: "demo_source", target: "demo_target" } as const;

/**
 * Saves `url`'s server as the peer `name` through the peers service (so it is validated and its
 * password encrypted like any other): created when missing, otherwise updated to the current
 * details (the demo folder may have been recreated with a new port or password) and revalidated.
 */
export async function registerDemoPeer(catalog: PrismaClient, name: string, url: string): Promise<SavedPeer> {
  const u = new URL(url);
  const details = {
    name,
    host: u.hostname,
    port: Number(u.port),
    database: decodeURIComponent(u.pathname.slice(1)),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    // The embedded servers listen on 127.0.0.1 only, without TLS.
    tlsMode: "disable",
  };
  const exists = await getPeer(catalog, name).then(
    () => true,
    (error: unknown) => {
      if (error instanceof UserFacingError && error.status === 404) return false;
      throw error;
    },
  );
  return exists ? updatePeer(catalog, name, details) : createPeer(catalog, details);
}
