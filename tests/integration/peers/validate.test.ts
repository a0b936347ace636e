import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { PeerConnection } from "@/lib/pg/connection";
import { type PeerValidation, validatePeer } from "@/lib/web/peers/validate";
import type { CheckId } from "@/lib/web/peers/validate-checks";
import { quoteIdent, quoteLiteral } from "@/lib/pg/quote";
import { freePort } from "@/lib/pg/free-port";
import { startCluster, type TestCluster } from "@/tests/support/clusters";
import { adminQuery, createDatabase, peerConnection } from "@/tests/support/databases";
import { DISTINCTIVE_PASSWORD, expectNoSecret, silentServer } from "./helpers";

const suffix = randomBytes(4).toString("hex");
const plainRole = `ferry_plain_${suffix}`;
const replicationRole = `ferry_repl_${suffix}`;
let database: string;
let source: PeerConnection;

beforeAll(async () => {
  database = await createDatabase("source", "validate");
  source = peerConnection("source", database);
  const password = quoteLiteral(DISTINCTIVE_PASSWORD);
  await adminQuery("source", `CREATE ROLE ${quoteIdent(plainRole)} LOGIN PASSWORD ${password}`);
  await adminQuery("source", `CREATE ROLE ${quoteIdent(replicationRole)} LOGIN REPLICATION PASSWORD ${password}`);
});

afterAll(async () => {
  await adminQuery("source", `DROP ROLE IF EXISTS ${quoteIdent(plainRole)}, ${quoteIdent(replicationRole)}`);
});

function statuses(result: PeerValidation): Partial<Record<CheckId, string>> {
  return Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
}

function checkOf(result: PeerValidation, id: CheckId) {
  const found = result.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} check in ${JSON.stringify(result.checks)}`);
  return found;
}

/** Validates, asserting the result is safe to send to the browser. */
async function validate(peer: PeerConnection, options = {}): Promise<PeerValidation> {
  const result = await validatePeer(peer, options);
  expectNoSecret(result, peer.password);
  expectNoSecret(result);
  for (const c of result.checks) {
    expect(c.label.length).toBeGreaterThan(0);
    expect(c.message.length).toBeGreaterThan(0);
  }
  return result;
}

const ALL_CHECKS: CheckId[] = [
  "reachable",
  "credentials",
  "database",
  "version",
  "wal_level",
  "replication_privilege",
  "replication_slots",
  "wal_senders",
];

describe("validatePeer on a well-configured server", () => {
  test("passes every check as superuser", async () => {
    const result = await validate(source);
    expect(result.checks.map((c) => c.id)).toEqual(ALL_CHECKS);
    expect(result.checks.filter((c) => c.status !== "pass")).toEqual([]);
    expect(result).toMatchObject({ ok: true, usableAsTarget: true, usableAsCdcSource: true, tls: false });
    expect(result.serverVersionNum).toBeGreaterThanOrEqual(180000);
    expect(result.serverVersion).toMatch(/^18/);
    expect(checkOf(result, "version").message).toBe(`PostgreSQL ${result.serverVersion}.`);
    expect(checkOf(result, "replication_privilege").message).toMatch(/is a superuser/);
    expect(checkOf(result, "replication_slots").message).toMatch(/^\d+ of 20 replication slots free/);
    expect(checkOf(result, "wal_senders").message).toMatch(/^\d+ of 20 WAL senders free/);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result.error).toBeUndefined();
  });

  test("warns about a user without REPLICATION, with the fix", async () => {
    const result = await validate({ ...source, user: plainRole, password: DISTINCTIVE_PASSWORD });
    const privilege = checkOf(result, "replication_privilege");
    expect(privilege.status).toBe("warn");
    expect(privilege.message).toContain(`User "${plainRole}" has no REPLICATION privilege`);
    expect(privilege.fix).toContain(`ALTER ROLE "${plainRole}" WITH REPLICATION;`);
    expect(privilege.fix).toContain("rds_replication");
    expect(statuses(result)).toMatchObject({ credentials: "pass", version: "pass", wal_level: "pass" });
    expect(result).toMatchObject({ ok: true, usableAsTarget: true, usableAsCdcSource: false });
  });

  test("passes a user with the REPLICATION attribute", async () => {
    const result = await validate({ ...source, user: replicationRole, password: DISTINCTIVE_PASSWORD });
    expect(checkOf(result, "replication_privilege")).toMatchObject({
      status: "pass",
      message: `User "${replicationRole}" has the REPLICATION attribute.`,
    });
    expect(result.usableAsCdcSource).toBe(true);
  });

  test('"prefer" connects without TLS to a server with ssl off; "require" fails at tlsMode', async () => {
    const prefer = await validate({ ...source, tlsMode: "prefer" });
    expect(prefer.ok).toBe(true);
    expect(checkOf(prefer, "reachable").message).toMatch(/without TLS/);

    const require = await validate({ ...source, tlsMode: "require" });
    expect(require.ok).toBe(false);
    expect(require.checks.map((c) => [c.id, c.status])).toEqual([["reachable", "fail"]]);
    expect(Object.keys(require.error?.fields ?? {})).toEqual(["tlsMode"]);
    expect(require.error?.code).toBe("peer_tls_not_offered");
  });
});

describe("validatePeer when it cannot connect", () => {
  test("wrong password: reachable passes, credentials fail at password", async () => {
    const result = await validate({ ...source, user: plainRole, password: `x${DISTINCTIVE_PASSWORD}` });
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ["reachable", "pass"],
      ["credentials", "fail"],
    ]);
    const refused = `Authentication failed for user "${plainRole}". Check the password, the user, and pg_hba.conf's method for this host.`;
    expect(checkOf(result, "credentials").message).toBe(refused);
    expect(result.error).toEqual({ code: "peer_auth_failed", message: refused, fields: { password: refused } });
    expect(result).toMatchObject({ usableAsTarget: false, usableAsCdcSource: false });
  });

  test("unknown host fails reachable at host", async () => {
    const result = await validate({ ...source, host: "no-such-host.invalid", password: DISTINCTIVE_PASSWORD });
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([["reachable", "fail"]]);
    expect(Object.keys(result.error?.fields ?? {})).toEqual(["host"]);
  });

  test("closed port fails reachable at host and port", async () => {
    const result = await validate({ ...source, port: await freePort(), password: DISTINCTIVE_PASSWORD });
    expect(result.ok).toBe(false);
    expect(checkOf(result, "reachable").status).toBe("fail");
    expect(Object.keys(result.error?.fields ?? {}).sort()).toEqual(["host", "port"]);
  });

  test("unknown database: signed in, database fails", async () => {
    const result = await validate({ ...source, database: "no_such_db" });
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ["reachable", "pass"],
      ["credentials", "pass"],
      ["database", "fail"],
    ]);
    expect(Object.keys(result.error?.fields ?? {})).toEqual(["database"]);
  });

  test("a server that never answers is given up on at the deadline", async () => {
    const silent = await silentServer();
    try {
      const result = await validate({ ...source, port: silent.port, password: DISTINCTIVE_PASSWORD }, { timeoutMs: 800 });
      expect(result.ok).toBe(false);
      expect(result.error?.code).toBe("peer_timeout");
      expect(result.durationMs).toBeGreaterThanOrEqual(750);
      expect(result.durationMs).toBeLessThan(2_000);
    } finally {
      await silent.close();
    }
  });
});

describe("validatePeer on a server not set up for CDC", () => {
  let replica: TestCluster;
  let walSender: pg.Client | undefined;

  beforeAll(async () => {
    // wal_level=replica, one replication slot (taken), one WAL sender (busy).
    replica = await startCluster("replica", {
      walLevel: "replica",
      settings: { max_replication_slots: 1, max_wal_senders: 1 },
    });
    const admin = new pg.Client({ connectionString: replica.url() });
    await admin.connect();
    await admin.query("select pg_create_physical_replication_slot('held_slot')");
    await admin.end();
    // A physical replication connection occupies a WAL sender for as long as it is open.
    walSender = new pg.Client({ connectionString: replica.url(), replication: true } as pg.ClientConfig);
    await walSender.connect();
  });

  afterAll(async () => {
    await walSender?.end().catch(() => {});
    await replica?.stop();
  });

  test("warns about wal_level, slots and senders, each with a fix, and stays usable as a target", async () => {
    const peer: PeerConnection = {
      host: replica.host,
      port: replica.port,
      database: "postgres",
      user: replica.user,
      password: replica.password,
      tlsMode: "prefer",
    };
    const result = await validate(peer);
    expect(statuses(result)).toEqual({
      reachable: "pass",
      credentials: "pass",
      database: "pass",
      version: "pass",
      wal_level: "warn",
      replication_privilege: "pass",
      replication_slots: "warn",
      wal_senders: "warn",
    });
    expect(result).toMatchObject({ ok: true, usableAsTarget: true, usableAsCdcSource: false });

    const walLevel = checkOf(result, "wal_level");
    expect(walLevel.message).toMatch(/wal_level is replica/);
    expect(walLevel.message).toMatch(/mirror target/);
    expect(walLevel.fix).toContain("ALTER SYSTEM SET wal_level = logical");
    expect(walLevel.fix).toMatch(/restart/);
    expect(walLevel.fix).toContain("rds.logical_replication = 1");

    const slots = checkOf(result, "replication_slots");
    expect(slots.message).toMatch(/All 1 replication slots are in use \(max_replication_slots = 1\)/);
    expect(slots.fix).toMatch(/pg_drop_replication_slot/);
    expect(slots.fix).toMatch(/max_replication_slots/);

    const senders = checkOf(result, "wal_senders");
    expect(senders.message).toMatch(/All 1 WAL senders are busy \(max_wal_senders = 1\)/);
    expect(senders.fix).toMatch(/max_wal_senders/);
  });
});
