import type { ClientConfig } from "pg";

/** How pgferry talks TLS to a peer; mirrors libpq's sslmode names. */
export type TlsMode = "disable" | "prefer" | "require" | "verify-full";

/** Everything needed to open a connection to a peer. Holds the decrypted password: never log it. */
export interface PeerConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  tlsMode: TlsMode;
  /** PEM CA certificate, used by verify-full. */
  caCert?: string | null;
}

/** PostgreSQL truncates application_name at 63 bytes; keep ours readable within that. */
const APPLICATION_NAME_MAX = 63;

/**
 * The application_name for a connection: always starts with "pgferry", then says what
 * the connection is for (e.g. "pgferry:copy:orders#3"), so a DBA can tell pgferry's sessions apart.
 */
export function applicationName(purpose: string): string {
  return `pgferry:${purpose}`.slice(0, APPLICATION_NAME_MAX);
}

/**
 * node-postgres settings for a peer. "prefer" is not a node-postgres mode: it starts as
 * "require" and callers fall back to plain text when the server refuses TLS (see connectPeer).
 */
export function clientConfig(peer: PeerConnection, purpose: string, useTls = peer.tlsMode !== "disable"): ClientConfig {
  return {
    host: peer.host,
    port: peer.port,
    database: peer.database,
    user: peer.user,
    password: peer.password,
    application_name: applicationName(purpose),
    connectionTimeoutMillis: 10_000,
    ssl: useTls ? tlsOptions(peer) : false,
  };
}

function tlsOptions(peer: PeerConnection): ClientConfig["ssl"] {
  if (peer.tlsMode === "verify-full") {
    // node-postgres checks the certificate against the host itself and sets SNI only for
    // host names (RFC 6066 forbids IP addresses there), so no servername here.
    return { rejectUnauthorized: true, ca: peer.caCert ?? undefined };
  }
  // "require" and "prefer" encrypt without verifying the certificate, like libpq.
  return { rejectUnauthorized: false };
}
