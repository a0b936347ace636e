import pg from "pg";
import { clientConfig, type PeerConnection } from "@/lib/pg/connection";

export interface CdcConnectOptions {
  /** Open a walsender connection (`replication=database`) for START_REPLICATION. */
  replication?: boolean;
  /**
   * Send queries without waiting for the previous answer (node-postgres pipeline mode). The
   * apply connection uses it so that statements, COMMIT and the next batch overlap on the wire.
   */
  pipeline?: boolean;
}

/**
 * Opens a CDC connection to a peer with application_name "pgferry:<purpose>". TLS mode "prefer" is
 * tried with TLS first and plain text when the server refuses TLS, like libpq.
 *
 * The caller ends the client. Connection failures reject with node-postgres's error, which
 * classifyPgError understands; the password is never part of it.
 */
export async function connectForCdc(peer: PeerConnection, purpose: string, options: CdcConnectOptions = {}): Promise<pg.Client> {
  if (peer.tlsMode === "prefer") {
    try {
      return await open(peer, purpose, true, options);
    } catch (error) {
      if (!/does not support SSL/i.test(String((error as Error)?.message))) throw error;
      return await open(peer, purpose, false, options);
    }
  }
  return open(peer, purpose, peer.tlsMode !== "disable", options);
}

async function open(peer: PeerConnection, purpose: string, useTls: boolean, options: CdcConnectOptions): Promise<pg.Client> {
  const config: pg.ClientConfig & { replication?: string; pipeline?: boolean } = {
    ...clientConfig(peer, purpose, useTls),
    // TCP keepalives notice a vanished server while we only listen (an idle replication stream).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
  if (options.replication) config.replication = "database";
  if (options.pipeline) config.pipeline = true;
  const client = new pg.Client(config);
  // Without a listener an idle connection that drops would crash the process; the owner learns
  // of it through its next query or its own "error" listener.
  client.on("error", () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    void client.end().catch(() => {});
    throw error;
  }
}
