import type pg from "pg";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { peerConnection } from "@/lib/catalog/peers";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { createLogger } from "@/lib/log/logger";
import { connectPeer } from "@/lib/pg/connect";
import { scrubSecret } from "@/lib/errors/scrub-secret";
import { beforeDeadline, deadlineIn } from "@/lib/pg/deadline";
import { activity, ownSession, type PeerSession } from "@/lib/pg/introspect/activity";
import { type Publication, publications } from "@/lib/pg/introspect/publications";
import { serverInfo, type ServerInfo } from "@/lib/pg/introspect/server-info";
import { type ReplicationSlot, slots } from "@/lib/pg/introspect/slots";
import { listTables, type TableListing } from "@/lib/pg/introspect/tables";

/**
 * Live questions to a saved peer's server for the peer page and the API. Each call opens one
 * session (application_name "pgferry:ui:<what>"), asks, and always closes it; all are read-only
 * on the peer. Errors: 404 peer_not_found, 422 when pgferry cannot connect (PeerConnectError),
 * 504 peer_timeout when the server does not answer in time, 502 peer_query_failed otherwise
 * (the server's message, without the password).
 */

/** Default: 10 seconds for connecting and asking together. */
export const LIVE_TIMEOUT_MS = 10_000;

const log = createLogger("peers");

export function peerServerInfo(catalog: PrismaClient, name: string): Promise<ServerInfo> {
  return withPeerClient(catalog, name, "ui:server", serverInfo);
}

export function peerTables(catalog: PrismaClient, name: string): Promise<TableListing> {
  return withPeerClient(catalog, name, "ui:tables", listTables);
}

export function peerSlots(catalog: PrismaClient, name: string): Promise<{ slots: ReplicationSlot[] }> {
  return withPeerClient(catalog, name, "ui:slots", async (client) => ({ slots: await slots(client) }));
}

export function peerPublications(catalog: PrismaClient, name: string): Promise<{ publications: Publication[] }> {
  return withPeerClient(catalog, name, "ui:publications", async (client) => ({ publications: await publications(client) }));
}

export interface PeerActivity {
  /**
   * pgferry's sessions on the peer's server, oldest first, including the one that asked (marked
   * `self`): it shows that pgferry can see the server's activity even when nothing else runs.
   */
  sessions: (PeerSession & { self: boolean })[];
  observedAt: string;
}

export function peerActivity(catalog: PrismaClient, name: string): Promise<PeerActivity> {
  return withPeerClient(catalog, name, "ui:activity", async (client) => {
    const others = await activity(client);
    const self = await ownSession(client);
    const sessions = [...others.map((s) => ({ ...s, self: false })), ...(self ? [{ ...self, self: true }] : [])];
    return { sessions, observedAt: new Date().toISOString() };
  });
}

/** Opens a session to the saved peer for `purpose`, runs `ask` within LIVE_TIMEOUT_MS, closes it. */
export async function withPeerClient<T>(
  catalog: PrismaClient,
  name: string,
  purpose: string,
  ask: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const row = await catalog.peer.findUnique({ where: { name } });
  if (!row) throw new UserFacingError(`There is no peer named "${name}".`, "peer_not_found", undefined, 404);
  const connection = peerConnection(row);
  const deadline = deadlineIn(LIVE_TIMEOUT_MS);
  const client = await connectPeer(connection, purpose, { deadline });
  try {
    return await beforeDeadline(ask(client), deadline, `asking ${name}`, () => void client.end().catch(() => {}));
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    const message = scrubSecret(error instanceof Error ? error.message : String(error), connection.password);
    if (error instanceof Error && error.name === "DeadlineExceededError") {
      throw new UserFacingError(
        `Peer "${name}" did not answer within ${LIVE_TIMEOUT_MS / 1000} s. It may be overloaded; try again.`,
        "peer_timeout",
        undefined,
        504,
      );
    }
    log.warn("peer query failed", { peer: name, purpose, message });
    throw new UserFacingError(`Peer "${name}" could not answer: ${message}`, "peer_query_failed", undefined, 502);
  } finally {
    void client.end().catch(() => {});
  }
}
