import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connectPeer } from "@/lib/pg/connect";
import { PeerConnectError } from "@/lib/errors/peer-connect-error";
import type { PeerConnection } from "@/lib/pg/connection";
import { validatePeer } from "@/lib/web/peers/validate";
import { startCluster, type TestCluster } from "@/tests/support/clusters";
import { expectNoSecret, rejection } from "./helpers";

/**
 * A server with ssl=on and a certificate for "localhost" signed by a throwaway CA, to prove that
 * verify-full checks the chain and the host name, and that require/prefer encrypt.
 */

let dir: string;
let cluster: TestCluster;
let caCert: string;
let otherCaCert: string;

function openssl(...args: string[]) {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A CA (EC keys: fast to generate) and a server certificate it signs for DNS:localhost only. */
function makeCertificates() {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=pgferry test CA");
  openssl("req", "-x509", ...ec, "-keyout", "other.key", "-out", "other.crt", "-days", "2", "-subj", "/CN=someone else");
  openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  writeFileSync(path.join(dir, "san.cnf"), "subjectAltName=DNS:localhost\n");
  const sign = ["-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "san.cnf"];
  openssl("x509", "-req", "-in", "server.csr", ...sign, "-out", "server.crt");
  // PostgreSQL refuses a key others can read, and runs as user postgres when we are root.
  const key = path.join(dir, "server.key");
  chmodSync(key, 0o600);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(key, uid, gid);
  }
  chmodSync(path.join(dir, "server.crt"), 0o644);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "pgferry-tls-"));
  chmodSync(dir, 0o755);
  makeCertificates();
  caCert = readFileSync(path.join(dir, "ca.crt"), "utf8");
  otherCaCert = readFileSync(path.join(dir, "other.crt"), "utf8");
  cluster = await startCluster("tls", {
    settings: { ssl: "on", ssl_cert_file: path.join(dir, "server.crt"), ssl_key_file: path.join(dir, "server.key") },
  });
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function peer(overrides: Partial<PeerConnection>): PeerConnection {
  return {
    host: "localhost",
    port: cluster.port,
    database: "postgres",
    user: cluster.user,
    password: cluster.password,
    tlsMode: "verify-full",
    caCert,
    ...overrides,
  };
}

async function certificateFailure(details: PeerConnection): Promise<PeerConnectError> {
  const error = await rejection(() => connectPeer(details, "test"));
  expect(error).toBeInstanceOf(PeerConnectError);
  expectNoSecret(error, details.password);
  return error as PeerConnectError;
}

describe("TLS", () => {
  test("verify-full with the right CA passes every check over TLS", async () => {
    const result = await validatePeer(peer({}));
    expect(result).toMatchObject({ ok: true, tls: true, usableAsCdcSource: true });
    expect(result.checks.find((c) => c.id === "reachable")?.message).toBe(`Reached localhost:${cluster.port} over TLS.`);
  });

  test("verify-full with another CA fails at caCert", async () => {
    const error = await certificateFailure(peer({ caCert: otherCaCert }));
    expect(error.code).toBe("peer_certificate_invalid");
    expect(Object.keys(error.fields ?? {})).toEqual(["caCert"]);
    expect(error.message).toMatch(/not signed by the CA certificate given/);

    const result = await validatePeer(peer({ caCert: otherCaCert }));
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([["reachable", "fail"]]);
    expect(Object.keys(result.error?.fields ?? {})).toEqual(["caCert"]);
  });

  test("verify-full checks the host name against the certificate", async () => {
    // The certificate names "localhost" only, not the address.
    const error = await certificateFailure(peer({ host: "127.0.0.1" }));
    expect(error.code).toBe("peer_certificate_invalid");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["caCert", "host"]);
    expect(error.message).toMatch(/not valid for host "127.0.0.1"/);
  });

  test("a CA certificate that is not a certificate fails at caCert", async () => {
    const broken = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    const error = await certificateFailure(peer({ caCert: broken }));
    expect(error.code).toBe("peer_certificate_invalid");
    expect(Object.keys(error.fields ?? {})).toEqual(["caCert"]);
  });

  test("verify-ca checks the chain against the CA, not the host name", async () => {
    // The certificate names "localhost" only; verify-ca does not mind that the address is used.
    const result = await validatePeer(peer({ host: "127.0.0.1", tlsMode: "verify-ca" }));
    expect(result).toMatchObject({ ok: true, tls: true });

    const error = await certificateFailure(peer({ host: "127.0.0.1", tlsMode: "verify-ca", caCert: otherCaCert }));
    expect(error.code).toBe("peer_certificate_invalid");
    expect(error.message).toMatch(/not signed by the CA certificate given/);
  });

  test("verify-full without a CA certificate trusts only this machine's CAs", async () => {
    const error = await certificateFailure(peer({ caCert: null }));
    expect(error.code).toBe("peer_certificate_invalid");
    expect(error.message).toMatch(/not signed by a certificate authority this machine trusts/);
  });

  test("SCRAM over TLS is bound to the channel and accepted by PostgreSQL", async () => {
    // The server offers SCRAM-SHA-256-PLUS over TLS; signing in with it proves the binding data is right.
    const client = await connectPeer(peer({ tlsMode: "require" }), "test");
    try {
      const { rows } = await client.query("select ssl from pg_stat_ssl where pid = pg_backend_pid()");
      expect(rows[0].ssl).toBe(true);
    } finally {
      await client.end();
    }
  });

  test.each([
    ["require", true],
    ["prefer", true],
    ["disable", false],
  ] as const)("%s connects (encrypted: %s) without checking the certificate", async (tlsMode, encrypted) => {
    const client = await connectPeer(peer({ host: "127.0.0.1", tlsMode, caCert: null }), "test");
    try {
      const { rows } = await client.query("select ssl from pg_stat_ssl where pid = pg_backend_pid()");
      expect(rows[0].ssl).toBe(encrypted);
    } finally {
      await client.end();
    }
  });
});
