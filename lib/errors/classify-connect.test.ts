import { describe, expect, it } from "vitest";
import { classifyError } from "@/lib/errors/classify";
import { shouldRetryWithoutTls } from "@/lib/errors/classify-connect";
import { PeerConnectError } from "@/lib/errors/peer-connect-error";
import { toPeerConnectError } from "@/lib/pg/connect-errors";
import type { PeerConnection } from "@/lib/pg/connection";
import { DeadlineExceededError } from "@/lib/pg/deadline";

const peer: PeerConnection = { host: "db.example", port: 5432, database: "shop", user: "app", password: "s3cret-pw", tlsMode: "prefer" };

/** A Node or node-postgres error as the connection attempt reports it. */
function failure(code: string | undefined, message = "x") {
  return Object.assign(new Error(message), code ? { code } : {});
}

const connecting = (error: unknown, target: PeerConnection = peer) => classifyError(error, { connecting: target });

// The real servers cover wrong passwords, missing databases, refused ports and certificates end to
// end (tests/integration/peers); these are the codes they cannot easily produce, and the shapes.
describe("classifyError while connecting to a peer", () => {
  it("retries what may pass by itself and names the fields at fault", () => {
    expect(connecting(failure("ECONNREFUSED"))).toEqual({
      kind: "retry",
      code: "peer_connection_refused",
      message: "Connection to db.example:5432 was refused: nothing listens there.",
      fix: "Check the host and port, and that PostgreSQL's listen_addresses includes this interface.",
      fields: ["host", "port"],
    });
    // Node tries IPv4 and IPv6 and reports both in an AggregateError.
    expect(connecting(Object.assign(new Error(""), { errors: [failure("ECONNREFUSED")] })).code).toBe("peer_connection_refused");
    expect(connecting(failure("EAI_AGAIN")).message).toMatch(/temporary DNS failure/);
    expect(connecting(failure("ENOTFOUND"))).toMatchObject({ kind: "retry", code: "peer_host_not_found", fields: ["host"] });
    expect(connecting(new DeadlineExceededError("connecting"))).toMatchObject({ kind: "retry", code: "peer_timeout" });
    expect(connecting(failure("EHOSTUNREACH", "connect EHOSTUNREACH 10.9.8.7:5432 - Local (10.0.0.2:40312)")).message).toBe(
      "db.example:5432 cannot be reached from this machine.",
    );
    expect(connecting(failure("57P03"))).toMatchObject({ kind: "retry", code: "peer_not_ready" });
    expect(connecting(failure("53300"))).toMatchObject({ kind: "retry", code: "peer_too_many_connections" });
  });

  it("explains certificate problems at caCert", () => {
    expect(connecting(failure("CERT_HAS_EXPIRED"))).toMatchObject({ code: "peer_certificate_invalid", message: "The server's certificate has expired.", fields: ["caCert"] });
    expect(connecting(failure("DEPTH_ZERO_SELF_SIGNED_CERT")).message).toContain("(DEPTH_ZERO_SELF_SIGNED_CERT)");
    expect(connecting(failure("SELF_SIGNED_CERT_IN_CHAIN"), { ...peer, tlsMode: "verify-full", caCert: null }).message).toMatch(
      /not signed by a certificate authority this machine trusts/,
    );
    expect(connecting(failure("ERR_OSSL_PEM_NO_START_LINE"), { ...peer, tlsMode: "verify-full" }).message).toBe("The CA certificate could not be read.");
    expect(connecting(failure("ERR_SSL_WRONG_VERSION_NUMBER"))).toMatchObject({ code: "peer_tls_failed", fields: ["tlsMode"] });
  });

  it("tells the user what only they can fix", () => {
    expect(connecting(failure("28P01", "password authentication failed for user \"app\""))).toEqual({
      kind: "user",
      code: "peer_auth_failed",
      message: 'Authentication failed for user "app".',
      fix: "Check the password, the user, and pg_hba.conf's method for this host.",
      fields: ["password"],
    });
    const hba = connecting(failure("28000", 'no pg_hba.conf entry for host "10.0.0.1", user "app", database "shop", no encryption'));
    expect(hba).toMatchObject({ kind: "user", code: "peer_not_allowed", fields: ["tlsMode"] });
    expect(hba.fix).toMatch(/Choose TLS mode "require"/);
    expect(connecting(failure("3D000"))).toMatchObject({ kind: "user", code: "peer_database_not_found", fields: ["database"] });
  });

  it("falls back to the general rules, in the peer's words", () => {
    const denied = connecting(failure("42501", "must be superuser or replication role to start walsender"));
    expect(denied).toMatchObject({ kind: "user", code: "peer_connect_failed", message: "Could not connect to db.example:5432: must be superuser or replication role to start walsender" });
    expect(denied.fix).toMatch(/REPLICATION/);
    expect(connecting(new Error("Connection terminated unexpectedly")).kind).toBe("retry");
  });

  it("says no more than refused, timed out or unreachable when no server answered (no port scanning through validate)", () => {
    for (const error of [
      new Error("Connection terminated unexpectedly"),
      new Error("There was an error establishing an SSL connection"),
      new Error("received invalid response: 48"),
      failure("EPIPE", "write EPIPE"),
      failure("ECONNRESET", "read ECONNRESET"),
    ]) {
      expect(connecting(error)).toEqual({
        kind: "retry",
        code: "peer_unreachable",
        message: "db.example:5432 cannot be reached from this machine.",
        fix: "Check the host, port and network path.",
        fields: ["host", "port"],
      });
    }
  });

  it("explains pgferry's own refusals", () => {
    const address = connecting(failure("pgferry_address_refused", 'Connections to "metadata" are not allowed: its address 169.254.169.254 is denied by PGFERRY_PEER_DENY.'));
    expect(address).toMatchObject({ kind: "user", code: "peer_address_refused", fields: ["host"] });
    expect(address.message).toMatch(/169\.254\.169\.254 is denied/);
    const cleartext = connecting(failure("pgferry_cleartext_refused"));
    expect(cleartext).toMatchObject({ kind: "user", code: "peer_cleartext_refused", fields: ["tlsMode", "allowCleartextPassword"] });
    expect(toPeerConnectError(failure("pgferry_cleartext_refused"), peer).stage).toBe("credentials");
  });
});

describe("PeerConnectError", () => {
  it("shows the message and the fix, per field, with the stage that failed and never the password", () => {
    const error = toPeerConnectError(failure("ECONNREFUSED", `connect ECONNREFUSED (password ${peer.password})`), peer);
    expect(error).toBeInstanceOf(PeerConnectError);
    expect(error.message).toBe(
      "Connection to db.example:5432 was refused: nothing listens there. Check the host and port, and that PostgreSQL's listen_addresses includes this interface.",
    );
    expect(error.fields).toEqual({ host: error.message, port: error.message });
    expect(error.stage).toBe("reachable");
    expect(error.status).toBe(422);
    expect(String((error as { cause?: unknown }).cause)).not.toContain(peer.password);
    expect(classifyError(error)).toBe(error.classified);

    const odd = toPeerConnectError(failure("XX000", `bad ${peer.password}`), peer);
    expect(odd.message).toBe("Could not connect to db.example:5432: bad ***");
    expect(toPeerConnectError(failure("28P01"), peer).stage).toBe("credentials");
    expect(toPeerConnectError(failure("3D000"), peer).stage).toBe("database");
  });
});

describe("shouldRetryWithoutTls", () => {
  it("falls back to plain text only when the server answered that it has no TLS", () => {
    expect(shouldRetryWithoutTls(new Error("The server does not support SSL connections"))).toBe(true);
    // Anyone on the path can break a handshake or answer oddly: that must not buy them plain text.
    expect(shouldRetryWithoutTls(failure("EPROTO"))).toBe(false);
    expect(shouldRetryWithoutTls(failure("ERR_SSL_WRONG_VERSION_NUMBER"))).toBe(false);
    expect(shouldRetryWithoutTls(new Error("There was an error establishing an SSL connection"))).toBe(false);
    expect(shouldRetryWithoutTls(failure("28000", "no pg_hba.conf entry for host, SSL encryption"))).toBe(false);
    expect(shouldRetryWithoutTls(failure("28P01"))).toBe(false);
    expect(shouldRetryWithoutTls(failure("ECONNREFUSED"))).toBe(false);
    expect(shouldRetryWithoutTls(undefined)).toBe(false);
  });
});
