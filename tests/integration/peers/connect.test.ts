import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { connectPeer } from "@/lib/pg/connect";
import { PeerConnectError } from "@/lib/errors/peer-connect-error";
import type { PeerConnection } from "@/lib/pg/connection";
import { quoteIdent, quoteLiteral } from "@/lib/pg/quote";
import { freePort } from "@/lib/pg/free-port";
import { adminQuery, createDatabase, peerConnection } from "@/tests/support/databases";
import { DISTINCTIVE_PASSWORD, expectNoSecret, rejection, silentServer } from "./helpers";

let database: string;
let good: PeerConnection;
const role = `ferry_${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  database = await createDatabase("source", "connect");
  good = peerConnection("source", database);
  await adminQuery("source", `CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD ${quoteLiteral(DISTINCTIVE_PASSWORD)}`);
});

afterAll(async () => {
  await adminQuery("source", `DROP ROLE IF EXISTS ${quoteIdent(role)}`);
});

/** Connects, expecting failure; checks the error is safe to show and returns it. */
async function failure(peer: PeerConnection, options = {}): Promise<PeerConnectError> {
  const error = await rejection(() => connectPeer(peer, "test", options));
  expect(error).toBeInstanceOf(PeerConnectError);
  expect(error).toBeInstanceOf(UserFacingError);
  expectNoSecret(error, peer.password);
  expectNoSecret(error);
  return error as PeerConnectError;
}

describe("connectPeer", () => {
  test("connects with application_name pgferry:<purpose>", async () => {
    const client = await connectPeer({ ...good, password: good.password }, "copy:public.orders#3");
    try {
      const { rows } = await client.query("select current_setting('application_name') as name, current_user as user");
      expect(rows[0]).toEqual({ name: "pgferry:copy:public.orders#3", user: good.user });
    } finally {
      await client.end();
    }
  });

  test("turns standard_conforming_strings on, whatever the role or database says", async () => {
    await adminQuery("source", `ALTER ROLE ${quoteIdent(role)} SET standard_conforming_strings = off`);
    const client = await connectPeer({ ...good, user: role, password: DISTINCTIVE_PASSWORD }, "test");
    try {
      const { rows } = await client.query("select current_setting('standard_conforming_strings') as scs, 'a\\b' as text");
      expect(rows[0]).toEqual({ scs: "on", text: "a\\b" });
    } finally {
      await client.end();
      await adminQuery("source", `ALTER ROLE ${quoteIdent(role)} RESET standard_conforming_strings`);
    }
  });

  test('"prefer" falls back to plain text when the server has ssl off', async () => {
    const client = await connectPeer({ ...good, tlsMode: "prefer" }, "test");
    try {
      const { rows } = await client.query("select ssl from pg_stat_ssl where pid = pg_backend_pid()");
      expect(rows[0].ssl).toBe(false);
    } finally {
      await client.end();
    }
  });

  test('"require" fails at tlsMode when the server does not offer TLS', async () => {
    const error = await failure({ ...good, tlsMode: "require" });
    expect(error.code).toBe("peer_tls_not_offered");
    expect(Object.keys(error.fields ?? {})).toEqual(["tlsMode"]);
    expect(error.message).toMatch(/does not offer TLS/);
    expect(error.status).toBe(422);
  });

  test("a wrong password fails at password, saying no more than that authentication failed and what to check", async () => {
    const error = await failure({ ...good, user: role, password: `${DISTINCTIVE_PASSWORD}-wrong` });
    expect(error.code).toBe("peer_auth_failed");
    expect(error.message).toBe(`Authentication failed for user "${role}". Check the password, the user, and pg_hba.conf's method for this host.`);
    expect(error.fields).toEqual({ password: error.message });
    expect(error.stage).toBe("credentials");
  });

  test("an unknown user gets the same answer as a wrong password", async () => {
    const error = await failure({ ...good, user: "no_such_user_x", password: DISTINCTIVE_PASSWORD });
    expect(error.code).toBe("peer_auth_failed");
    expect(error.message).toBe(`Authentication failed for user "no_such_user_x". Check the password, the user, and pg_hba.conf's method for this host.`);
  });

  test("the right password of a non-superuser works", async () => {
    const client = await connectPeer({ ...good, user: role, password: DISTINCTIVE_PASSWORD }, "test");
    await client.end();
  });

  test("an unknown host fails at host", async () => {
    const error = await failure({ ...good, host: "no-such-host.invalid", password: DISTINCTIVE_PASSWORD });
    expect(error.code).toBe("peer_host_not_found");
    expect(error.fields).toEqual({ host: error.message });
    expect(error.message).toMatch(/"no-such-host.invalid" was not found/);
    expect(error.stage).toBe("reachable");
  });

  test("a closed port fails at host and port", async () => {
    const port = await freePort();
    const error = await failure({ ...good, port, password: DISTINCTIVE_PASSWORD });
    expect(error.code).toBe("peer_connection_refused");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["host", "port"]);
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  test("an unknown database fails at database", async () => {
    const error = await failure({ ...good, database: "no_such_database" });
    expect(error.code).toBe("peer_database_not_found");
    expect(error.fields).toEqual({ database: error.message });
    expect(error.message).toMatch(/Database "no_such_database" does not exist/);
    expect(error.stage).toBe("database");
  });

  test("an empty password where one is needed fails at password", async () => {
    const error = await failure({ ...good, user: role, password: "" });
    expect(Object.keys(error.fields ?? {})).toEqual(["password"]);
  });

  test.each(["disable", "prefer"] as const)(
    "a server that never answers hits the deadline (tlsMode %s)",
    async (tlsMode) => {
      const silent = await silentServer();
      try {
        const started = Date.now();
        const error = await failure(
          { ...good, port: silent.port, tlsMode, password: DISTINCTIVE_PASSWORD },
          { timeoutMs: 700 },
        );
        const elapsed = Date.now() - started;
        expect(error.code).toBe("peer_timeout");
        expect(Object.keys(error.fields ?? {}).sort()).toEqual(["host", "port"]);
        // One budget for the TLS attempt and the fallback together.
        expect(elapsed).toBeGreaterThanOrEqual(650);
        expect(elapsed).toBeLessThan(2000);
      } finally {
        await silent.close();
      }
    },
  );

  test("the password is scrubbed even where a message would echo it", async () => {
    // A database named like the password puts it into the "does not exist" message.
    const error = await failure({ ...good, user: role, password: DISTINCTIVE_PASSWORD, database: DISTINCTIVE_PASSWORD });
    expect(error.code).toBe("peer_database_not_found");
    expect(error.message).toContain('Database "***" does not exist');
    // The cause kept for logs is scrubbed too.
    expect(String((error.cause as Error).message)).not.toContain(DISTINCTIVE_PASSWORD);
    expect((error.cause as { code?: string }).code).toBe("3D000");
  });
});
