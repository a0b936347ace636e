import type pg from "pg";
import { shouldRetryWithoutTls } from "@/lib/errors/classify-connect";
import { createLogger } from "@/lib/log/logger";
import { checkPeerAddress, type ResolvedPeerAddress } from "@/lib/pg/connect-addresses";
import { isEncrypted, PeerClient } from "@/lib/pg/connect-client";
import { toPeerConnectError } from "@/lib/pg/connect-errors";
import { clientConfig, type PeerConnection } from "@/lib/pg/connection";
import { beforeDeadline, deadlineIn, DeadlineExceededError, msLeft } from "@/lib/pg/deadline";

/** Default: 10 seconds for DNS, TCP, TLS and sign-in together. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  /** Budget for the whole connection attempt. Default: DEFAULT_CONNECT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Absolute deadline (Date.now() ms) shared with the caller's later steps; wins over timeoutMs. */
  deadline?: number;
  /**
   * Open a walsender connection (`replication=database`): it accepts replication commands
   * (CREATE_REPLICATION_SLOT, START_REPLICATION) and plain SQL. Implies keepAlive. Default: false.
   */
  replication?: boolean;
  /**
   * Send queries without waiting for the previous answer (node-postgres pipeline mode), so that
   * statements, COMMIT and the next batch overlap on the wire. Default: false.
   */
  pipeline?: boolean;
  /**
   * TCP keepalives from 10 s of silence on, so a vanished server is noticed while we only listen
   * (an idle replication stream, a snapshot held open). Default: false (true with `replication`).
   */
  keepAlive?: boolean;
}

const log = createLogger("peers");

/**
 * Opens a connection to a peer for `purpose` (which ends up in application_name, e.g. "validate",
 * "copy:public.orders#3"): an ordinary session, a pipelined one or a replication connection (see
 * ConnectOptions). Every connection pgferry opens to a peer goes through here, so all share one
 * policy:
 * - where: the host and every address it resolves to must pass PGFERRY_PEER_ALLOW/_DENY
 *   (checkPeerAddress), and the socket goes to those addresses only;
 * - TLS: "disable" plain text; "require" TLS without verifying the certificate; "verify-ca" the
 *   chain must lead to the peer's CA certificate; "verify-full" also the host name, against the
 *   peer's CA or the system's; "prefer" like libpq, TLS first and plain text only when the server
 *   answers the TLS request with "no" (never after a failed handshake, which an attacker on the
 *   path could cause). A session that runs without TLS is logged (once per peer and process);
 * - sign-in: the password is never sent in clear text without TLS unless the peer allows it, and
 *   SCRAM is bound to the TLS channel where there is one (PeerClient, clientConfig).
 * The whole attempt, including the fallback, respects one deadline.
 *
 * Resolves to a connected client that the caller must `end()`. Rejects with a PeerConnectError
 * (a UserFacingError naming the field at fault) and never with anything containing the password.
 * Not idempotent in the sense that every call opens a new session.
 */
export async function connectPeer(peer: PeerConnection, purpose: string, options: ConnectOptions = {}): Promise<pg.Client> {
  const deadline = options.deadline ?? deadlineIn(options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  try {
    const addresses = await beforeDeadline(checkPeerAddress(peer), deadline, "looking up the host");
    const open = (useTls: boolean) => openClient(peer, purpose, useTls, deadline, options, addresses);
    let client: pg.Client;
    if (peer.tlsMode === "prefer") {
      try {
        client = await open(true);
      } catch (error) {
        if (!shouldRetryWithoutTls(error)) throw error;
        client = await open(false);
      }
    } else {
      client = await open(peer.tlsMode !== "disable");
    }
    if (!isEncrypted(client)) notePlainText(peer);
    return client;
  } catch (error) {
    throw toPeerConnectError(error, peer);
  }
}

/** Peers already reported as running without TLS in this process: one line each is enough. */
const reportedPlainText = new Set<string>();

function notePlainText(peer: PeerConnection): void {
  const key = `${peer.host}:${peer.port}/${peer.database}`;
  if (reportedPlainText.has(key)) return;
  reportedPlainText.add(key);
  log.warn("peer connection without TLS: queries and data cross the network unencrypted", {
    host: peer.host,
    port: peer.port,
    database: peer.database,
    tlsMode: peer.tlsMode,
  });
}

/** Default: keepalive probes start after 10 seconds without traffic. */
const KEEPALIVE_DELAY_MS = 10_000;

async function openClient(
  peer: PeerConnection,
  purpose: string,
  useTls: boolean,
  deadline: number,
  options: ConnectOptions,
  addresses: ResolvedPeerAddress[],
): Promise<pg.Client> {
  const left = msLeft(deadline);
  if (left === 0) throw new DeadlineExceededError("connecting");
  const config: pg.ClientConfig & { replication?: string } = { ...clientConfig(peer, purpose, useTls), connectionTimeoutMillis: left };
  if (options.replication) config.replication = "database";
  if (options.pipeline) config.pipeline = true;
  if (options.keepAlive || options.replication) {
    config.keepAlive = true;
    config.keepAliveInitialDelayMillis = KEEPALIVE_DELAY_MS;
  }
  const client = new PeerClient(config, { allowCleartextPassword: peer.allowCleartextPassword === true, addresses });
  // A connection that drops while idle makes the client emit "error"; without a listener Node would
  // crash the whole process. The next query on the client rejects instead, which callers handle.
  client.on("error", () => {});
  try {
    // node-postgres enforces connectionTimeoutMillis itself; the outer deadline is a backstop in
    // case a step it does not cover outlives it.
    await beforeDeadline(client.connect(), deadline + 500, "connecting", () => void client.end().catch(() => {}));
    return client;
  } catch (error) {
    // Not awaited: closing a half-open socket must not hold up the answer.
    void client.end().catch(() => {});
    throw error;
  }
}

/** Opens a session to the peer for `purpose` (see connectPeer), runs `work` on it and ends it, whatever `work` does. */
export async function withPeerSession<T>(peer: PeerConnection, purpose: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectPeer(peer, purpose);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Opens a session to the peer for `purpose` and runs `prepare` on it (session settings); ends it again if that fails. */
export async function connectPrepared(peer: PeerConnection, purpose: string, prepare: (client: pg.Client) => Promise<void>): Promise<pg.Client> {
  const client = await connectPeer(peer, purpose);
  try {
    await prepare(client);
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}
