import type pg from "pg";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";

export interface CdcConnectOptions {
  /** Open a walsender connection (`replication=database`) for START_REPLICATION. */
  replication?: boolean;
  /** node-postgres pipeline mode, for the apply connections (see ConnectOptions.pipeline). */
  pipeline?: boolean;
}

/**
 * A CDC connection: connectPeer (one TLS policy, deadline and PeerConnectError for every peer
 * connection) with TCP keepalives, because CDC sessions sit idle while the source is quiet.
 */
export function connectForCdc(peer: PeerConnection, purpose: string, options: CdcConnectOptions = {}): Promise<pg.Client> {
  return connectPeer(peer, purpose, { ...options, keepAlive: true });
}
