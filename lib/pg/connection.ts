import type { ClientConfig } from "pg";

/** How pgferry talks TLS to a peer; mirrors libpq's sslmode names. */
export type TlsMode = "disable" | "prefer" | "require" | "verify-ca" | "verify-full";

/** Everything needed to open a connection to a peer. Holds the decrypted password: never log it. */
export interface PeerConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  tlsMode: TlsMode;
  /**
   * PEM CA certificate: required by verify-ca; for verify-full, null means the system's trusted
   * CAs (Node's bundled store plus NODE_EXTRA_CA_CERTS).
   */
  caCert?: string | null;
  /**
   * Answer a server that asks for the password in clear text on a connection without TLS.
   * Default: false — anyone on the path would read the password.
   */
  allowCleartextPassword?: boolean;
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
  const password = peer.password;
  return {
    host: peer.host,
    port: peer.port,
    database: peer.database,
    user: peer.user,
    // A function, because node-postgres replaces an empty password string with PGPASSWORD or a
    // ~/.pgpass entry of this process: the pgferry machine's own credentials must never go to a peer.
    password: () => password,
    application_name: applicationName(purpose),
    connectionTimeoutMillis: 10_000,
    ssl: useTls ? tlsOptions(peer) : false,
    // SCRAM-SHA-256-PLUS ties the sign-in to this TLS session, so a man in the middle that
    // terminates TLS itself cannot relay it (used only when the server offers it).
    enableChannelBinding: useTls,
  };
}

function tlsOptions(peer: PeerConnection): ClientConfig["ssl"] {
  // node-postgres checks the certificate against the host itself and sets SNI only for host names
  // (RFC 6066 forbids IP addresses there), so no servername here. Without `ca`, Node uses its
  // trusted CAs.
  const ca = peer.caCert ?? undefined;
  if (peer.tlsMode === "verify-full") return { rejectUnauthorized: true, ca };
  // The chain must lead to the given CA, whatever name the certificate carries (libpq's verify-ca).
  if (peer.tlsMode === "verify-ca") return { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
  // "require" and "prefer" encrypt without verifying the certificate, like libpq.
  return { rejectUnauthorized: false };
}
