import net from "node:net";
import pg from "pg";
import type { ResolvedPeerAddress } from "@/lib/pg/connect-addresses";

/**
 * Thrown (through the connection attempt) when the server asks for the password in clear text on
 * a connection without TLS and the peer does not allow it. The password was not sent.
 */
export class CleartextPasswordRefusedError extends Error {
  readonly code = "pgferry_cleartext_refused";
  constructor() {
    super("The server asked for the password in clear text on a connection without TLS; it was not sent.");
    this.name = "CleartextPasswordRefusedError";
  }
}

export interface PeerClientOptions {
  /** Answer a cleartext password request without TLS. Default: false. */
  allowCleartextPassword?: boolean;
  /**
   * The addresses the peer's host resolved to and that passed the address rules: the socket
   * connects to these and never looks the name up again, so a DNS answer that changes between
   * the check and the connection (DNS rebinding) cannot redirect it.
   */
  addresses?: ResolvedPeerAddress[];
}

/** The node-postgres internals this subclass hooks into (pg 8: lib/client.js). */
interface ClientInternals {
  connection: { stream: net.Socket & { encrypted?: boolean }; emit(event: "error", error: Error): boolean };
  _handleAuthCleartextPassword(message: unknown): void;
  getStartupConf(): Record<string, string>;
}

/**
 * A node-postgres client with pgferry's rules for every connection to a peer:
 * - refuses AuthenticationCleartextPassword on a connection without TLS unless the peer allows it
 *   (node-postgres would send the password to whoever asks);
 * - sends `standard_conforming_strings=on` in the startup packet, so backslashes in string
 *   literals are never escapes, whatever the server's or role's setting (a startup parameter,
 *   which PgBouncer passes on, rather than `options`, which it refuses);
 * - connects to the vetted addresses only (see PeerClientOptions.addresses).
 */
export class PeerClient extends pg.Client {
  constructor(
    config: pg.ClientConfig,
    private readonly peerOptions: PeerClientOptions = {},
  ) {
    super(withPinnedAddresses(config, peerOptions.addresses ?? []));
  }

  _handleAuthCleartextPassword(message: unknown): void {
    const internals = this as unknown as ClientInternals;
    if (!this.peerOptions.allowCleartextPassword && internals.connection.stream.encrypted !== true) {
      internals.connection.emit("error", new CleartextPasswordRefusedError());
      return;
    }
    Object.getPrototypeOf(PeerClient.prototype)._handleAuthCleartextPassword.call(this, message);
  }

  getStartupConf(): Record<string, string> {
    const conf = Object.getPrototypeOf(PeerClient.prototype).getStartupConf.call(this) as Record<string, string>;
    return { ...conf, standard_conforming_strings: "on" };
  }
}

/** `config` with a socket that connects to `addresses` (a unix socket has none: left as is). */
function withPinnedAddresses(config: pg.ClientConfig, addresses: ResolvedPeerAddress[]): pg.ClientConfig {
  if (!addresses.length || config.host?.startsWith("/")) return config;
  return { ...config, stream: () => pinnedSocket(addresses) };
}

/** A socket whose connect(port, host) goes to `addresses` instead of looking `host` up. */
function pinnedSocket(addresses: ResolvedPeerAddress[]): net.Socket {
  const socket = new net.Socket();
  const connect = socket.connect.bind(socket) as (options: net.TcpSocketConnectOpts) => net.Socket;
  const lookup: net.LookupFunction = (_host, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : undefined;
    const usable = addresses.filter((a) => family === undefined || a.family === family);
    const list = usable.length ? usable : addresses;
    if (options.all) (callback as unknown as (error: null, all: ResolvedPeerAddress[]) => void)(null, list);
    else callback(null, list[0].address, list[0].family);
  };
  (socket as unknown as { connect: (port: number, host: string) => net.Socket }).connect = (port, host) => connect({ port, host, lookup });
  return socket;
}

/** Whether the client's connection runs over TLS. */
export function isEncrypted(client: pg.Client): boolean {
  return (client as unknown as ClientInternals).connection.stream.encrypted === true;
}
