import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import * as revalidateRoute from "@/app/api/v1/peers/[name]/validate/route";
import * as peerRoute from "@/app/api/v1/peers/[name]/route";
import { peerConnection } from "@/lib/catalog/peers";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { createPeer, updatePeer, validateUnsaved } from "@/lib/web/peers/service";
import { DISTINCTIVE_PASSWORD } from "@/tests/integration/peers/helpers";
import { type FakeServer, selfSignedCertificate, startFakeServer } from "@/tests/integration/peers/fake-server";
import { type PeersApiWorld, setUpWorld, userError } from "@/tests/integration/peers-api/helpers";
import { bearerHeaders, setTestApiPassword } from "@/tests/support/api-auth";

/**
 * Issue 10, finding 1: a stored peer password is only ever sent to the host, port, user and
 * database it was saved for, never in clear text without TLS unless the peer allows it, never
 * replaced by the pgferry machine's own PGPASSWORD or ~/.pgpass, and SCRAM is bound to TLS.
 * A fake server on 127.0.0.1 asks for the password in clear text and records what arrives.
 */

let world: PeersApiWorld;
let fake: FakeServer;

beforeAll(async () => {
  setTestApiPassword();
  world = await setUpWorld();
  await createPeer(world.prisma, world.sourceInput("stored"));
});

afterAll(async () => {
  await world.close();
});

afterEach(async () => {
  await fake?.close();
});

type Handler = (request: Request, context: { params: Promise<{ name: string }> }) => Promise<Response>;

async function call(handler: Handler, method: string, name: string, body: unknown) {
  const request = new Request(`http://pgferry.test/api/v1/peers/${name}`, {
    method,
    headers: bearerHeaders({ "content-type": "application/json" }),
    body: JSON.stringify(body),
  });
  const response = await handler(request, { params: Promise.resolve({ name }) });
  return { status: response.status, json: await response.json() };
}

/** Connection details for the fake server. */
function toFake(overrides: Partial<PeerConnection> = {}): PeerConnection {
  return { host: "127.0.0.1", port: fake.port, database: "postgres", user: "someone", password: DISTINCTIVE_PASSWORD, tlsMode: "disable", ...overrides };
}

describe("a stored password stays with its server", () => {
  test.each([
    ["host", { host: "localhost" }],
    ["port", {}],
    ["user", { user: "someone_else" }],
    ["database", { database: "another_db" }],
  ])("validate and PATCH with a new %s and no password are refused at password (400); nothing reaches the other server", async (_field, change) => {
    fake = await startFakeServer();
    const stored = await world.prisma.peer.findUniqueOrThrow({ where: { name: "stored" } });
    // The port always changes to the fake's, except where the test changes something else only.
    const edit = { ...(Object.keys(change).length ? {} : { host: "127.0.0.1", port: fake.port }), ...change, password: "" };

    const validated = await call(revalidateRoute.POST, "POST", "stored", edit);
    expect(validated.status).toBe(400);
    expect(validated.json.error.code).toBe("peer_password_required");
    expect(validated.json.error.fields.password).toMatch(/Enter the password again/);

    const patched = await call(peerRoute.PATCH, "PATCH", "stored", { ...edit, password: undefined });
    expect(patched.status).toBe(400);
    expect(patched.json.error.fields.password).toMatch(/only sent to the server it was saved for/);

    expect(fake.sessions).toEqual([]);
    expect(await world.prisma.peer.findUniqueOrThrow({ where: { name: "stored" } })).toEqual(stored);
  });

  test("the same edit with the password given is validated against the new server", async () => {
    fake = await startFakeServer({ ssl: "S", tls: selfSignedCertificate() });
    const result = await call(revalidateRoute.POST, "POST", "stored", { host: "127.0.0.1", port: fake.port, tlsMode: "require", password: "typed-again" });
    expect(result.status).toBe(200);
    expect(fake.sessions.map((s) => s.password)).toEqual(["typed-again"]);
  });

  test("turning on clear-text passwords needs the password again", async () => {
    const error = await userError(updatePeer(world.prisma, "stored", { allowCleartextPassword: true }));
    expect(error).toMatchObject({ status: 400, code: "peer_password_required" });
    expect(error.fields?.password).toMatch(/allowing it in clear text/);
  });
});

describe("clear-text password requests", () => {
  test("are refused without TLS: the password is not sent, and the error says why at tlsMode", async () => {
    fake = await startFakeServer();
    const result = await validateUnsaved(toFake());
    expect(result).toMatchObject({ ok: false, error: { code: "peer_cleartext_refused" } });
    expect(Object.keys(result.error?.fields ?? {})).toEqual(["tlsMode", "allowCleartextPassword"]);
    expect(result.checks).toEqual([
      expect.objectContaining({ id: "reachable", status: "pass" }),
      expect.objectContaining({ id: "credentials", status: "fail" }),
    ]);
    expect(fake.sessions).toHaveLength(1);
    expect(fake.sessions[0].startup?.user).toBe("someone");
    expect(fake.sessions[0].password).toBeNull();
  });

  test('"prefer" against a server without TLS falls back to plain text and still refuses', async () => {
    fake = await startFakeServer({ ssl: "N" });
    const result = await validateUnsaved(toFake({ tlsMode: "prefer" }));
    expect(result.error?.code).toBe("peer_cleartext_refused");
    expect(fake.sessions.map((s) => [s.sslRequest, s.password])).toEqual([
      ["N", null],
      [null, null],
    ]);
  });

  test("are answered when the peer allows clear text, or over TLS", async () => {
    fake = await startFakeServer();
    await validateUnsaved({ ...toFake(), allowCleartextPassword: true });
    expect(fake.sessions[0].password).toBe(DISTINCTIVE_PASSWORD);
    await fake.close();

    fake = await startFakeServer({ ssl: "S", tls: selfSignedCertificate() });
    await validateUnsaved(toFake({ tlsMode: "require" }));
    expect(fake.sessions[0]).toMatchObject({ tls: true, password: DISTINCTIVE_PASSWORD });
  });
});

describe("an empty password", () => {
  const saved: Record<string, string | undefined> = {};
  let home: string;

  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), "pgferry-pgpass-"));
    const pgpass = path.join(home, ".pgpass");
    writeFileSync(pgpass, "*:*:*:*:secret-from-pgpass\n", { mode: 0o600 });
    for (const name of ["PGPASSWORD", "PGPASSFILE", "HOME"]) saved[name] = process.env[name];
    process.env.PGPASSFILE = pgpass;
    process.env.HOME = home;
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(home, { recursive: true, force: true });
  });

  test("is sent as empty: never the pgferry process's PGPASSWORD or ~/.pgpass", async () => {
    fake = await startFakeServer();
    process.env.PGPASSWORD = "secret-from-pgpassword";
    await connectPeer(toFake({ password: "", allowCleartextPassword: true }), "test").catch(() => {});
    delete process.env.PGPASSWORD;
    await connectPeer(toFake({ password: "", allowCleartextPassword: true }), "test").catch(() => {});
    expect(fake.sessions.map((s) => s.password)).toEqual(["", ""]);
  });

  test("of a stored peer is sent as empty too", async () => {
    fake = await startFakeServer();
    process.env.PGPASSWORD = "secret-from-pgpassword";
    try {
      await createPeer(world.prisma, { ...toFake({ password: "" }), name: "trusting", allowCleartextPassword: true }).catch(() => {});
    } finally {
      delete process.env.PGPASSWORD;
    }
    expect(fake.sessions.map((s) => s.password)).toEqual([""]);
  });
});

describe("SCRAM", () => {
  test("binds the sign-in to the TLS channel (SCRAM-SHA-256-PLUS) when the server offers it", async () => {
    fake = await startFakeServer({ ssl: "S", tls: selfSignedCertificate(), auth: "scram" });
    await connectPeer(toFake({ tlsMode: "require" }), "test").catch(() => {});
    expect(fake.sessions[0]).toMatchObject({ tls: true, saslMechanism: "SCRAM-SHA-256-PLUS" });
  });

  test("uses plain SCRAM-SHA-256 without TLS", async () => {
    fake = await startFakeServer({ auth: "scram" });
    await connectPeer(toFake(), "test").catch(() => {});
    expect(fake.sessions[0]).toMatchObject({ tls: false, saslMechanism: "SCRAM-SHA-256" });
  });
});

test("a stored peer's connection carries its allowCleartextPassword", async () => {
  const row = await world.prisma.peer.findUniqueOrThrow({ where: { name: "stored" } });
  expect(peerConnection(row).allowCleartextPassword).toBe(false);
});
