import type { ClassifiedError } from "@/lib/errors/classify";
import type { PeerConnection } from "@/lib/pg/connection";
import { DeadlineExceededError } from "@/lib/pg/deadline";

/**
 * The classifier's rules for a failure to open a connection to a peer (classifyError with a peer):
 * keyed on Node's network and TLS error codes and on the SQLSTATEs a server answers a connection
 * attempt with. Messages name the host, user and database the user typed, and `fields` the form
 * fields at fault. Authentication failures say no more than "authentication failed" and what to
 * check, so they do not reveal whether the user exists.
 *
 * Failures without a server's answer say only refused, timed out or unreachable (plus DNS and TLS
 * facts), never the raw socket error.
 *
 * Kinds follow what a long-running mirror should do: everything before sign-in (DNS, network, TLS,
 * a server starting up or full) is "retry" — it may pass, or be fixed on the peer's side without
 * touching pgferry; a refused sign-in or a missing database is "user".
 */

/** What the rules need to know about the peer being connected to. */
export type ConnectTarget = Pick<PeerConnection, "host" | "port" | "database" | "user" | "tlsMode" | "caCert">;

/** Node's certificate verification failures (OpenSSL X509_V_ERR names) and its host name check. */
const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_REVOKED",
  "INVALID_CA",
  "CERT_CHAIN_TOO_LONG",
]);
const EXPIRY_CODES = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);

/** node-postgres' words when the server answers the SSLRequest with "no" ('N'). */
const NOT_OFFERED = "The server does not support SSL connections";

/**
 * What to look at after a refused sign-in. The server says only "authentication failed" whether the
 * password, the user or the pg_hba.conf method is wrong (so a prober cannot tell which), and so do we.
 */
const AUTH_FIX = "Check the password, the user, and pg_hba.conf's method for this host.";

/** Codes of pgferry's own refusals (lib/pg/connect-addresses.ts, lib/pg/connect-client.ts). */
const ADDRESS_REFUSED = "pgferry_address_refused";
const CLEARTEXT_REFUSED = "pgferry_cleartext_refused";

/**
 * A SQLSTATE: five digits or upper-case letters. No class starts with "E", which keeps out Node's
 * five-letter codes (EPIPE, EPERM).
 */
const SQLSTATE = /^[0-9A-DF-Z][0-9A-Z]{4}$/;

export interface ErrorLike {
  code?: string;
  message?: string;
  errors?: ErrorLike[];
}

/** Node 20 tries IPv4 and IPv6 in turn and reports an AggregateError; its parts carry the code. */
export function errorCode(error: ErrorLike): string | undefined {
  return error.code ?? error.errors?.find((e) => e.code)?.code;
}

/**
 * True when a "prefer" connection should retry without TLS: only when the server answered the TLS
 * request with "no". A failed handshake, an odd answer or a refusal after TLS may come from an
 * attacker on the path who wants the plain-text connection, so they are errors. Pure.
 */
export function shouldRetryWithoutTls(error: unknown): boolean {
  return ((error ?? {}) as ErrorLike).message === NOT_OFFERED;
}

/**
 * The classification of a failed connection attempt, or null when the error is none of the known
 * connection failures (classifyError then falls back to its general rules). Pure.
 */
export function classifyConnectFailure(e: ErrorLike, peer: ConnectTarget): ClassifiedError | null {
  const code = errorCode(e) ?? "";
  const message = e.message ?? String(e);
  const at = `${peer.host}:${peer.port}`;
  const retry = (c: string, text: string, fix: string | undefined, fields?: string[]): ClassifiedError => shape("retry", c, text, fix, fields);
  const user = (c: string, text: string, fix: string | undefined, fields?: string[]): ClassifiedError => shape("user", c, text, fix, fields);

  if (e instanceof DeadlineExceededError || message === "timeout expired" || code === "ETIMEDOUT") {
    return retry("peer_timeout", `No answer from ${at} in time.`, "Check the host and port, and that no firewall drops the connection.", ["host", "port"]);
  }
  if (code === "EAI_AGAIN") {
    return retry("peer_host_not_found", `Host "${peer.host}" could not be looked up right now (temporary DNS failure).`, "Check the name and this machine's DNS.", ["host"]);
  }
  if (code === "ENOTFOUND" || code === "EAI_NONAME") {
    return retry("peer_host_not_found", `Host "${peer.host}" was not found (DNS lookup failed).`, "Check the host name.", ["host"]);
  }
  if (code === "ECONNREFUSED") {
    return retry(
      "peer_connection_refused",
      `Connection to ${at} was refused: nothing listens there.`,
      "Check the host and port, and that PostgreSQL's listen_addresses includes this interface.",
      ["host", "port"],
    );
  }
  if (code === ADDRESS_REFUSED) {
    return user("peer_address_refused", message, "Choose another host, or change PGFERRY_PEER_ALLOW / PGFERRY_PEER_DENY where pgferry runs.", ["host"]);
  }
  if (code === CLEARTEXT_REFUSED) {
    return user(
      "peer_cleartext_refused",
      `The server at ${at} asked for the password in clear text on a connection without TLS, so pgferry did not send it.`,
      'Choose TLS mode "require" or stronger, or have the server use scram-sha-256. Only if the network path is trusted: allow clear-text passwords for this peer.',
      ["tlsMode", "allowCleartextPassword"],
    );
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ECONNRESET" || code === "EADDRNOTAVAIL") {
    return unreachable(peer);
  }
  if (message === NOT_OFFERED) {
    return retry(
      "peer_tls_not_offered",
      `The server at ${at} does not offer TLS, but TLS mode "${peer.tlsMode}" requires it.`,
      'Enable ssl on the server, or choose "prefer" or "disable".',
      ["tlsMode"],
    );
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return retry(
      "peer_certificate_invalid",
      `The server's certificate is not valid for host "${peer.host}".`,
      "Connect with a host name the certificate names, or use a certificate that names this host.",
      ["caCert", "host"],
    );
  }
  if (EXPIRY_CODES.has(code)) {
    const when = code === "CERT_HAS_EXPIRED" ? "has expired" : "is not valid yet";
    return retry("peer_certificate_invalid", `The server's certificate ${when}.`, "Renew the server's certificate (or check this machine's clock).", ["caCert"]);
  }
  if (CERTIFICATE_CODES.has(code)) {
    const signer = peer.caCert ? "the CA certificate given" : "a certificate authority this machine trusts";
    return retry(
      "peer_certificate_invalid",
      `The server's certificate is not signed by ${signer} (${code}).`,
      "Paste the CA certificate that issued the server's certificate.",
      ["caCert"],
    );
  }
  if (code.startsWith("ERR_OSSL_") && (peer.tlsMode === "verify-full" || peer.tlsMode === "verify-ca")) {
    return retry("peer_certificate_invalid", "The CA certificate could not be read.", "Paste the whole PEM text, including the BEGIN and END lines.", ["caCert"]);
  }
  if (code === "EPROTO" || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) {
    return retry("peer_tls_failed", `The TLS handshake with ${at} failed (${code}).`, "Check the server's TLS settings, or choose another TLS mode.", ["tlsMode"]);
  }
  if (code === "28000" && message.includes("pg_hba.conf")) {
    // The server's own words say whether the rejected attempt was encrypted.
    const plain = message.includes("no encryption");
    const who = `for user "${peer.user}" and database "${peer.database}" (no matching pg_hba.conf entry).`;
    return plain
      ? user(
          "peer_not_allowed",
          `The server does not accept unencrypted connections from this machine ${who}`,
          `Choose TLS mode "require", or ask the server's administrator to allow this client in pg_hba.conf.`,
          ["tlsMode"],
        )
      : user("peer_not_allowed", `The server does not accept connections from this machine ${who}`, "Ask the server's administrator to allow this client in pg_hba.conf.", ["user"]);
  }
  if (code === "28P01" || code === "28000") {
    return user("peer_auth_failed", `Authentication failed for user "${peer.user}".`, AUTH_FIX, ["password"]);
  }
  if (/client password must be a (non-empty )?string/.test(message)) {
    return user("peer_password_required", `The server asks user "${peer.user}" for a password.`, "Enter it.", ["password"]);
  }
  if (code === "3D000") {
    return user("peer_database_not_found", `Database "${peer.database}" does not exist on ${at}.`, "Check the name (it is case-sensitive).", ["database"]);
  }
  if (code === "53300") {
    return retry("peer_too_many_connections", `${at} has no free connection slots (too many connections).`, "Close idle sessions or raise max_connections, then retry.");
  }
  if (code === "57P03") {
    return retry("peer_not_ready", `The server at ${at} is starting up, shutting down or in recovery and does not accept connections yet.`, "Retry in a moment.");
  }
  if (message.startsWith("SASL")) {
    return user("peer_auth_failed", `Authentication failed for user "${peer.user}" (the SCRAM exchange could not be completed).`, AUTH_FIX, ["password"]);
  }
  // Whatever else happened without a server's answer (a closed connection, an odd reply, a socket
  // error) says no more than "unreachable": its raw text would tell a port scanner what listens there.
  if (!SQLSTATE.test(code)) return unreachable(peer);
  return null;
}

function unreachable(peer: ConnectTarget): ClassifiedError {
  return shape("retry", "peer_unreachable", `${peer.host}:${peer.port} cannot be reached from this machine.`, "Check the host, port and network path.", ["host", "port"]);
}

function shape(kind: ClassifiedError["kind"], code: string, message: string, fix: string | undefined, fields: string[] | undefined): ClassifiedError {
  return { kind, code, message, ...(fix ? { fix } : {}), ...(fields ? { fields } : {}) };
}
