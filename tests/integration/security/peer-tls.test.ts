import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { connectPeer } from "@/lib/pg/connect";
import { PeerConnectError } from "@/lib/errors/peer-connect-error";
import type { PeerConnection } from "@/lib/pg/connection";
import { DEFAULT_TLS_MODE, peerCreateSchema } from "@/lib/peers/input";
import { createPeer } from "@/lib/web/peers/service";
import { DISTINCTIVE_PASSWORD, rejection } from "@/tests/integration/peers/helpers";
import { type FakeServer, selfSignedCertificate, startFakeServer } from "@/tests/integration/peers/fake-server";
import { type PeersApiWorld, setUpWorld, userError } from "@/tests/integration/peers-api/helpers";
import { createDatabase, peerConnection } from "@/tests/support/databases";

/**
 * Issue 10, finding 5: "prefer" gives up TLS only when the server says it has none, never because
 * a handshake failed (which anyone on the path can cause); "require" never gives it up; new peers
 * default to "require"; a session without TLS is logged. (verify-ca and verify-full against a real
 * TLS server: tests/integration/peers/tls.test.ts.)
 */

let fake: FakeServer;

afterEach(async () => {
  await fake?.close();
});

function toFake(overrides: Partial<PeerConnection> = {}): PeerConnection {
  return { host: "127.0.0.1", port: fake.port, database: "postgres", user: "someone", password: DISTINCTIVE_PASSWORD, tlsMode: "prefer", ...overrides };
}

async function connectFailure(peer: PeerConnection): Promise<PeerConnectError> {
  const error = await rejection(() => connectPeer(peer, "test"));
  expect(error).toBeInstanceOf(PeerConnectError);
  return error as PeerConnectError;
}

describe('"prefer"', () => {
  test("does not fall back to plain text when the TLS handshake fails", async () => {
    fake = await startFakeServer({ ssl: "S-broken" });
    const error = await connectFailure(toFake());
    expect(["peer_tls_failed", "peer_unreachable"]).toContain(error.code);
    // One attempt, over TLS; no second, plain-text one that would carry the startup packet.
    expect(fake.sessions).toHaveLength(1);
    expect(fake.sessions[0].startup).toBeNull();
  });

  test("does not fall back when the server answers the TLS request with anything but 'N'", async () => {
    fake = await startFakeServer({ ssl: "E" });
    const error = await connectFailure(toFake());
    expect(error.code).toBe("peer_unreachable");
    expect(fake.sessions).toHaveLength(1);
  });

  test("falls back when the server answers 'N' (it has no TLS)", async () => {
    fake = await startFakeServer({ ssl: "N" });
    await connectFailure(toFake({ allowCleartextPassword: true }));
    expect(fake.sessions.map((s) => [s.sslRequest, s.startup?.user ?? null])).toEqual([
      ["N", null],
      [null, "someone"],
    ]);
  });
});

test('"require" never runs without TLS', async () => {
  fake = await startFakeServer({ ssl: "N" });
  const error = await connectFailure(toFake({ tlsMode: "require" }));
  expect(error.code).toBe("peer_tls_not_offered");
  expect(fake.sessions).toHaveLength(1);
  expect(fake.sessions[0].startup).toBeNull();
});

test('"verify-full" without a CA certificate checks against this machine\'s trusted CAs', async () => {
  fake = await startFakeServer({ ssl: "S", tls: selfSignedCertificate() });
  const error = await connectFailure(toFake({ host: "localhost", tlsMode: "verify-full", caCert: null }));
  expect(error.code).toBe("peer_certificate_invalid");
  expect(error.message).toMatch(/not signed by a certificate authority this machine trusts/);
  expect(fake.sessions[0].password).toBeNull();
});

describe("new peers", () => {
  let world: PeersApiWorld;
  beforeAll(async () => {
    world = await setUpWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  test('default to "require": a server without TLS is refused at tlsMode until the mode is chosen', async () => {
    expect(DEFAULT_TLS_MODE).toBe("require");
    const { tlsMode: _unset, ...input } = world.sourceInput("default_tls");
    expect(peerCreateSchema.parse(input).tlsMode).toBe("require");
    const error = await userError(createPeer(world.prisma, input));
    expect(error).toMatchObject({ status: 422, code: "peer_tls_not_offered" });
    expect(Object.keys(error.fields ?? {})).toEqual(["tlsMode"]);
    const saved = await createPeer(world.prisma, { ...input, tlsMode: "disable" });
    expect(saved.peer.tlsMode).toBe("disable");
  });
});

test("a connection without TLS is logged once per peer, naming it but not its password", async () => {
  const peer = peerConnection("source", await createDatabase("source", "plaintext"));
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    for (let i = 0; i < 2; i++) {
      const client = await connectPeer(peer, "test");
      await client.end();
    }
  } finally {
    spy.mockRestore();
  }
  const notes = lines.filter((line) => line.includes("without TLS"));
  expect(notes).toHaveLength(1);
  expect(notes[0]).toContain(`"port":${peer.port}`);
  expect(notes[0]).toContain(`"database":"${peer.database}"`);
  expect(notes[0]).not.toContain(peer.password);
});
