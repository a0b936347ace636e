import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { validateUnsaved } from "@/lib/web/peers/service";
import { connectPeer } from "@/lib/pg/connect";
import { PeerConnectError } from "@/lib/errors/peer-connect-error";
import { freePort } from "@/lib/pg/free-port";
import type { PeerConnection } from "@/lib/pg/connection";
import { expectNoSecret, rejection } from "@/tests/integration/peers/helpers";
import { type FakeServer, startFakeServer } from "@/tests/integration/peers/fake-server";
import { clusterInfo, createDatabase, databaseUrl, peerConnection } from "@/tests/support/databases";

/**
 * Issue 10, finding 6: where peers may point (PGFERRY_PEER_ALLOW / PGFERRY_PEER_DENY, checked on
 * every resolved address before connecting; link-local and the catalog denied by default; unix
 * sockets only when allowed), and connection failures that say no more than refused, timed out or
 * unreachable, so validate cannot be used as a port scanner.
 */

const VARIABLES = ["PGFERRY_PEER_ALLOW", "PGFERRY_PEER_DENY", "DATABASE_URL"] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
let source: PeerConnection;
let fake: FakeServer | undefined;

beforeAll(async () => {
  source = peerConnection("source", await createDatabase("source", "addresses"));
});

afterEach(async () => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await fake?.close();
  fake = undefined;
});

/** What the form would send; the server's password is the secret that must not show up in answers. */
function input(peer: PeerConnection) {
  return { ...peer };
}

async function refusedAtHost(peer: PeerConnection): Promise<string> {
  const started = Date.now();
  const result = await validateUnsaved(input(peer));
  expect(result.ok).toBe(false);
  expect(result.error?.code).toBe("peer_address_refused");
  expect(Object.keys(result.error?.fields ?? {})).toEqual(["host"]);
  // Refused before any connection attempt, not after a timeout.
  expect(Date.now() - started).toBeLessThan(2_000);
  expectNoSecret(result, peer.password);
  return result.error?.message ?? "";
}

describe("by default", () => {
  test("link-local addresses (cloud metadata services) are refused without connecting", async () => {
    expect(await refusedAtHost({ ...source, host: "169.254.169.254", port: 80 })).toMatch(/169\.254\.169\.254 is denied by PGFERRY_PEER_DENY/);
    expect(await refusedAtHost({ ...source, host: "fe80::1" })).toMatch(/denied/);
  });

  test("pgferry's own catalog (host and port of DATABASE_URL) is refused", async () => {
    const catalog = clusterInfo("catalog");
    process.env.DATABASE_URL = databaseUrl(catalog, "pgferry");
    expect(await refusedAtHost({ ...source, host: "localhost", port: catalog.port })).toMatch(/pgferry's own catalog server/);
    // Another server on the same host is fine.
    expect((await validateUnsaved(input(source))).ok).toBe(true);
  });

  test("unix-socket paths are refused", async () => {
    expect(await refusedAtHost({ ...source, host: "/var/run/postgresql" })).toMatch(/unix sockets are refused/);
  });

  test("other addresses are allowed", async () => {
    expect((await validateUnsaved(input(source))).ok).toBe(true);
  });
});

describe("PGFERRY_PEER_ALLOW and PGFERRY_PEER_DENY", () => {
  test("an allow list admits only what it lists (every resolved address: lib/pg/connect-addresses.test.ts)", async () => {
    process.env.PGFERRY_PEER_ALLOW = "10.0.0.0/8";
    expect(await refusedAtHost(source)).toMatch(/127\.0\.0\.1 is not in PGFERRY_PEER_ALLOW/);
    process.env.PGFERRY_PEER_ALLOW = "127.0.0.0/8, ::1";
    expect((await validateUnsaved(input({ ...source, host: "localhost" }))).ok).toBe(true);
    process.env.PGFERRY_PEER_ALLOW = "localhost";
    expect((await validateUnsaved(input({ ...source, host: "localhost" }))).ok).toBe(true);
  });

  test("a deny list refuses addresses and names, and wins over the allow list", async () => {
    process.env.PGFERRY_PEER_DENY = "127.0.0.0/8";
    expect(await refusedAtHost(source)).toMatch(/127\.0\.0\.1 is denied/);
    process.env.PGFERRY_PEER_ALLOW = "127.0.0.1";
    expect(await refusedAtHost(source)).toMatch(/denied/);
    process.env.PGFERRY_PEER_DENY = "*.localdomain, localhost";
    delete process.env.PGFERRY_PEER_ALLOW;
    expect(await refusedAtHost({ ...source, host: "LOCALHOST" })).toMatch(/the host name "LOCALHOST" is denied/);
  });

  test("a socket folder can be allowed", async () => {
    process.env.PGFERRY_PEER_ALLOW = "/nonexistent/pgferry-socket";
    const result = await validateUnsaved(input({ ...source, host: "/nonexistent/pgferry-socket" }));
    // Allowed, so pgferry tried it: nothing listens there.
    expect(result.error?.code).not.toBe("peer_address_refused");
  });

  test("a malformed entry stops every connection with a message naming the setting", async () => {
    process.env.PGFERRY_PEER_DENY = "10.0.0.0/99";
    const error = await rejection(() => connectPeer(source, "test"));
    expect(error).toBeInstanceOf(PeerConnectError);
    expect((error as PeerConnectError).message).toMatch(/PGFERRY_PEER_DENY: "10\.0\.0\.0\/99" is not a valid CIDR/);
  });
});

describe("connection failures say refused, timed out or unreachable, and no more", () => {
  test("a closed port is refused", async () => {
    const result = await validateUnsaved(input({ ...source, port: await freePort() }));
    expect(result.error?.code).toBe("peer_connection_refused");
    expect(result.error?.message).toMatch(/^Connection to 127\.0\.0\.1:\d+ was refused: nothing listens there\./);
  });

  test.each([
    ["an HTTP server", "HTTP/1.1 400 Bad Request\r\nServer: secret-internal-app/1.2\r\nContent-Length: 0\r\n\r\n"],
    ["a server that hangs up", ""],
  ])("%s is only unreachable, whatever it said", async (_what, reply) => {
    fake = await startFakeServer({ replyInstead: reply });
    const result = await validateUnsaved(input({ ...source, port: fake.port, tlsMode: "disable" }));
    expect(result.error).toEqual({
      code: "peer_unreachable",
      message: `127.0.0.1:${fake.port} cannot be reached from this machine. Check the host, port and network path.`,
      fields: expect.any(Object),
    });
    expect(JSON.stringify(result)).not.toMatch(/HTTP|secret-internal-app|invalid response|terminated/i);
  });
});
