import { UserFacingError } from "@/lib/errors/user-facing-error";
import type { PeerConnection } from "@/lib/pg/connection";
import { DeadlineExceededError } from "@/lib/pg/deadline";

/**
 * Turns whatever went wrong while opening a connection to a peer into a UserFacingError that says
 * what happened, which form field it concerns and what to do. The password never appears in it:
 * every message is scrubbed, and authentication failures say no more than "authentication failed"
 * (so they do not reveal whether the user exists).
 */

/** HTTP status for "the details are well-formed, but the server they describe can't be used". */
const STATUS = 422;

/** Where the failure happened; validatePeer turns this into the check that failed. */
export type ConnectStage = "reachable" | "credentials" | "database";

export class PeerConnectError extends UserFacingError {
  constructor(
    message: string,
    code: string,
    fields: Record<string, string> | undefined,
    readonly stage: ConnectStage,
  ) {
    super(message, code, fields, STATUS);
    this.name = "PeerConnectError";
  }
}

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

const NOT_OFFERED = "The server does not support SSL connections";
const SSL_REQUEST_REFUSED = "There was an error establishing an SSL connection";

interface ErrorLike {
  code?: string;
  message?: string;
  errors?: ErrorLike[];
}

/** Node 20 tries IPv4 and IPv6 in turn and reports an AggregateError; its parts carry the code. */
function codeOf(error: ErrorLike): string | undefined {
  return error.code ?? error.errors?.find((e) => e.code)?.code;
}

/** True when a "prefer" connection should retry without TLS, as libpq does. */
export function shouldRetryWithoutTls(error: unknown): boolean {
  const e = (error ?? {}) as ErrorLike;
  const code = codeOf(e) ?? "";
  const message = e.message ?? "";
  return (
    message === NOT_OFFERED ||
    message === SSL_REQUEST_REFUSED ||
    code === "EPROTO" ||
    code.startsWith("ERR_SSL_") ||
    // pg_hba.conf may only have hostnossl lines for this client.
    (code === "28000" && message.includes("pg_hba.conf"))
  );
}

export function classifyConnectError(error: unknown, peer: PeerConnection): PeerConnectError {
  const result = classify((error ?? {}) as ErrorLike, peer);
  const safe = scrubError(result, peer.password);
  // Keep the original's code and (scrubbed) message for logs, not the original itself.
  const original = (error ?? {}) as ErrorLike;
  const cause = Object.assign(new Error(scrubSecret(original.message ?? String(error), peer.password)), {
    code: codeOf(original),
  });
  Object.defineProperty(safe, "cause", { value: cause, enumerable: false });
  return safe;
}

function classify(e: ErrorLike, peer: PeerConnection): PeerConnectError {
  const code = codeOf(e) ?? "";
  const message = e.message ?? String(e);
  const at = `${peer.host}:${peer.port}`;
  const both = (text: string) => ({ host: text, port: text });

  if (e instanceof DeadlineExceededError || message === "timeout expired" || code === "ETIMEDOUT") {
    const text = `No answer from ${at} in time. Check the host and port, and that no firewall drops the connection.`;
    return new PeerConnectError(text, "peer_timeout", both(text), "reachable");
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
    const text =
      code === "EAI_AGAIN"
        ? `Host "${peer.host}" could not be looked up right now (temporary DNS failure). Check the name and this machine's DNS.`
        : `Host "${peer.host}" was not found (DNS lookup failed). Check the host name.`;
    return new PeerConnectError(text, "peer_host_not_found", { host: text }, "reachable");
  }
  if (code === "ECONNREFUSED") {
    const text = `Connection to ${at} was refused: nothing listens there. Check the host and port, and that PostgreSQL's listen_addresses includes this interface.`;
    return new PeerConnectError(text, "peer_connection_refused", both(text), "reachable");
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ECONNRESET" || code === "EADDRNOTAVAIL") {
    const text = `${at} cannot be reached from this machine (${code}). Check the host, port and network path.`;
    return new PeerConnectError(text, "peer_unreachable", both(text), "reachable");
  }
  if (message === NOT_OFFERED || message === SSL_REQUEST_REFUSED) {
    const text = `The server at ${at} does not offer TLS, but TLS mode "${peer.tlsMode}" requires it. Enable ssl on the server, or choose "prefer" or "disable".`;
    return new PeerConnectError(text, "peer_tls_not_offered", { tlsMode: text }, "reachable");
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const text = `The server's certificate is not valid for host "${peer.host}". Connect with a host name the certificate names, or use a certificate that names this host.`;
    return new PeerConnectError(text, "peer_certificate_invalid", { caCert: text, host: text }, "reachable");
  }
  if (EXPIRY_CODES.has(code)) {
    const when = code === "CERT_HAS_EXPIRED" ? "has expired" : "is not valid yet";
    const text = `The server's certificate ${when}. Renew the server's certificate (or check this machine's clock).`;
    return new PeerConnectError(text, "peer_certificate_invalid", { caCert: text }, "reachable");
  }
  if (CERTIFICATE_CODES.has(code)) {
    const text = `The server's certificate is not signed by the CA certificate given (${code}). Paste the CA certificate that issued the server's certificate.`;
    return new PeerConnectError(text, "peer_certificate_invalid", { caCert: text }, "reachable");
  }
  if (code.startsWith("ERR_OSSL_") && peer.tlsMode === "verify-full") {
    const text = "The CA certificate could not be read. Paste the whole PEM text, including the BEGIN and END lines.";
    return new PeerConnectError(text, "peer_certificate_invalid", { caCert: text }, "reachable");
  }
  if (code === "EPROTO" || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) {
    const text = `The TLS handshake with ${at} failed (${code}). Check the server's TLS settings, or choose another TLS mode.`;
    return new PeerConnectError(text, "peer_tls_failed", { tlsMode: text }, "reachable");
  }
  if (code === "28000" && message.includes("pg_hba.conf")) {
    // The server's own words say whether the rejected attempt was encrypted.
    const plain = message.includes("no encryption");
    const text = plain
      ? `The server does not accept unencrypted connections from this machine for user "${peer.user}" and database "${peer.database}" (no matching pg_hba.conf entry). Choose TLS mode "require", or ask the server's administrator to allow this client in pg_hba.conf.`
      : `The server does not accept connections from this machine for user "${peer.user}" and database "${peer.database}" (no matching pg_hba.conf entry). Ask the server's administrator to allow this client in pg_hba.conf.`;
    return new PeerConnectError(text, "peer_not_allowed", plain ? { tlsMode: text } : { user: text }, "credentials");
  }
  if (code === "28P01" || code === "28000") {
    const text = `Authentication failed for user "${peer.user}".`;
    return new PeerConnectError(text, "peer_auth_failed", { password: text }, "credentials");
  }
  if (message.includes("client password must be a string")) {
    const text = `The server asks user "${peer.user}" for a password. Enter it.`;
    return new PeerConnectError(text, "peer_password_required", { password: text }, "credentials");
  }
  if (code === "3D000") {
    const text = `Database "${peer.database}" does not exist on ${at}. Check the name (it is case-sensitive).`;
    return new PeerConnectError(text, "peer_database_not_found", { database: text }, "database");
  }
  if (code === "53300") {
    const text = `${at} has no free connection slots (too many connections). Close idle sessions or raise max_connections, then retry.`;
    return new PeerConnectError(text, "peer_too_many_connections", undefined, "credentials");
  }
  if (code === "57P03") {
    const text = `The server at ${at} is starting up, shutting down or in recovery and does not accept connections yet. Retry in a moment.`;
    return new PeerConnectError(text, "peer_not_ready", undefined, "reachable");
  }
  const text = `Could not connect to ${at}: ${message}`;
  return new PeerConnectError(text, "peer_connect_failed", undefined, "reachable");
}

/** Removes the password from the message and every field message. */
function scrubError(error: PeerConnectError, password: string): PeerConnectError {
  const fields = error.fields
    ? Object.fromEntries(Object.entries(error.fields).map(([key, value]) => [key, scrubSecret(value, password)]))
    : undefined;
  return new PeerConnectError(scrubSecret(error.message, password), error.code, fields, error.stage);
}

/** Replaces every occurrence of the secret with "***". */
export function scrubSecret(text: string, secret: string | null | undefined): string {
  return secret ? text.replaceAll(secret, "***") : text;
}
