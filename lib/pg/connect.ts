import pg from "pg";
import { classifyConnectError, shouldRetryWithoutTls } from "@/lib/pg/connect-errors";
import { clientConfig, type PeerConnection } from "@/lib/pg/connection";
import { beforeDeadline, deadlineIn, DeadlineExceededError, msLeft } from "@/lib/pg/deadline";

/** Default: 10 seconds for DNS, TCP, TLS and sign-in together. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  /** Budget for the whole connection attempt. Default: DEFAULT_CONNECT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Absolute deadline (Date.now() ms) shared with the caller's later steps; wins over timeoutMs. */
  deadline?: number;
}

/**
 * Opens a connection to a peer for `purpose` (which ends up in application_name, e.g. "validate",
 * "copy:public.orders#3"). Implements TLS mode "prefer" like libpq: TLS first, plain text when the
 * server does not offer TLS. The whole attempt, including the fallback, respects one deadline.
 *
 * Resolves to a connected client that the caller must `end()`. Rejects with a PeerConnectError
 * (a UserFacingError naming the field at fault) and never with anything containing the password.
 * Not idempotent in the sense that every call opens a new session.
 */
export async function connectPeer(peer: PeerConnection, purpose: string, options: ConnectOptions = {}): Promise<pg.Client> {
  const deadline = options.deadline ?? deadlineIn(options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  try {
    if (peer.tlsMode === "prefer") {
      try {
        return await openClient(peer, purpose, true, deadline);
      } catch (error) {
        if (!shouldRetryWithoutTls(error)) throw error;
        return await openClient(peer, purpose, false, deadline);
      }
    }
    return await openClient(peer, purpose, peer.tlsMode !== "disable", deadline);
  } catch (error) {
    throw classifyConnectError(error, peer);
  }
}

async function openClient(peer: PeerConnection, purpose: string, useTls: boolean, deadline: number): Promise<pg.Client> {
  const left = msLeft(deadline);
  if (left === 0) throw new DeadlineExceededError("connecting");
  const client = new pg.Client({ ...clientConfig(peer, purpose, useTls), connectionTimeoutMillis: left });
  // A connection that drops while idle makes the client emit "error"; without a listener Node would
  // crash the whole process. The next query on the client rejects instead, which callers handle.
  client.on("error", () => {});
  try {
    // node-postgres enforces connectionTimeoutMillis itself; the outer deadline is a backstop in
    // case a step it does not cover (e.g. a stuck DNS lookup) outlives it.
    await beforeDeadline(client.connect(), deadline + 500, "connecting", () => void client.end().catch(() => {}));
    return client;
  } catch (error) {
    // Not awaited: closing a half-open socket must not hold up the answer.
    void client.end().catch(() => {});
    throw error;
  }
}
