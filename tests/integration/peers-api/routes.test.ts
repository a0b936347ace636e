import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as activityRoute from "@/app/api/v1/peers/[name]/activity/route";
import * as publicationsRoute from "@/app/api/v1/peers/[name]/publications/route";
import * as peerRoute from "@/app/api/v1/peers/[name]/route";
import * as serverRoute from "@/app/api/v1/peers/[name]/server/route";
import * as slotsRoute from "@/app/api/v1/peers/[name]/slots/route";
import * as tablesRoute from "@/app/api/v1/peers/[name]/tables/route";
import * as revalidateRoute from "@/app/api/v1/peers/[name]/validate/route";
import * as peersRoute from "@/app/api/v1/peers/route";
import * as validateRoute from "@/app/api/v1/peers/validate/route";
import { quoteIdent } from "@/lib/pg/quote";
import { clusterInfo, connect } from "@/tests/support/databases";
import { DISTINCTIVE_PASSWORD } from "@/tests/integration/peers/helpers";
import { callRoute, insertMirror, type PeersApiWorld, setUpSignedInWorld } from "./helpers";

/**
 * The route handlers, called as Next.js calls them (a Request and async params), against a test
 * catalog. Every answer's text is collected and checked for the password at the end.
 */

let world: PeersApiWorld;
const answers: { what: string; text: string }[] = [];

beforeAll(async () => {
  world = await setUpSignedInWorld();
});

afterAll(() => world.close());

async function call(handler: Parameters<typeof callRoute>[0], method: string, path: string, body?: unknown, name = "") {
  const response = await callRoute(handler, method, path, body, name);
  const text = response.status === 204 ? "" : await response.text();
  answers.push({ what: `${method} ${path}`, text });
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

describe("peers CRUD over HTTP", () => {
  test("POST creates (201), GET lists and gets, PATCH edits, DELETE removes (204)", async () => {
    const created = await call(peersRoute.POST, "POST", "/peers", world.sourceInput("http_source"));
    expect(created.status).toBe(201);
    expect(created.json.peer).toMatchObject({ name: "http_source", port: clusterInfo("source").port, mirrors: [] });
    expect(created.json.validation.ok).toBe(true);

    const list = await call(peersRoute.GET, "GET", "/peers");
    expect(list.status).toBe(200);
    expect(list.json.peers.map((p: { name: string }) => p.name)).toEqual(["http_source"]);

    const got = await call(peerRoute.GET, "GET", "/peers/http_source", undefined, "http_source");
    expect(got.status).toBe(200);
    expect(got.json).toEqual(created.json.peer);

    const patched = await call(peerRoute.PATCH, "PATCH", "/peers/http_source", { tlsMode: "prefer", password: "" }, "http_source");
    expect(patched.status).toBe(200);
    expect(patched.json.peer.tlsMode).toBe("prefer");

    const deleted = await call(peerRoute.DELETE, "DELETE", "/peers/http_source", undefined, "http_source");
    expect(deleted.status).toBe(204);
    expect((await call(peerRoute.GET, "GET", "/peers/http_source", undefined, "http_source")).status).toBe(404);
  });

  test("errors answer with { error: { code, message, fields } } and the right status", async () => {
    const bad = await call(peersRoute.POST, "POST", "/peers", { ...world.sourceInput("Bad Name"), port: 0, database: "" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("peer_invalid");
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(["database", "name", "port"]);

    const malformed = await call(peersRoute.POST, "POST", "/peers", "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe("invalid_json");

    const wrong = await call(peersRoute.POST, "POST", "/peers", { ...world.sourceInput("wrong_pw"), password: "nope" });
    expect(wrong.status).toBe(422);
    expect(wrong.json.error).toMatchObject({ code: "peer_auth_failed", fields: { password: expect.stringMatching(/Authentication failed/) } });

    await call(peersRoute.POST, "POST", "/peers", world.targetInput("http_twice"));
    const twice = await call(peersRoute.POST, "POST", "/peers", world.targetInput("http_twice"));
    expect(twice.status).toBe(409);
    expect(twice.json.error.fields).toEqual({ name: "A peer named http_twice already exists." });

    const missing = await call(tablesRoute.GET, "GET", "/peers/nobody/tables", undefined, "nobody");
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("peer_not_found");
  });

  test("DELETE is refused with 409 and the mirror's name while a mirror uses the peer", async () => {
    const source = await call(peersRoute.POST, "POST", "/peers", world.sourceInput("http_used"));
    await insertMirror(world.prisma, "http_mirror", source.json.peer.id, source.json.peer.id);
    const refused = await call(peerRoute.DELETE, "DELETE", "/peers/http_used", undefined, "http_used");
    expect(refused.status).toBe(409);
    expect(refused.json.error).toEqual({
      code: "peer_in_use",
      message: 'Peer "http_used" cannot be deleted: mirror "http_mirror" uses it. Delete that mirror first.',
    });
    expect((await call(peersRoute.GET, "GET", "/peers")).json.peers.find((p: { name: string }) => p.name === "http_used").mirrors).toEqual([
      "http_mirror",
    ]);
  });

  test("POST /peers/validate and POST /peers/{name}/validate answer with the checks", async () => {
    const unsaved = await call(validateRoute.POST, "POST", "/peers/validate", world.sourceInput("x"));
    expect(unsaved.status).toBe(200);
    expect(unsaved.json.checks.map((c: { status: string }) => c.status)).toEqual(Array(8).fill("pass"));
    const failing = await call(validateRoute.POST, "POST", "/peers/validate", { ...world.sourceInput("x"), host: "no-such-host.invalid" });
    expect(failing.json).toMatchObject({ ok: false, error: { code: "peer_host_not_found", fields: { host: expect.any(String) } } });
    expect(failing.json.checks).toEqual([expect.objectContaining({ id: "reachable", status: "fail" })]);

    await call(peersRoute.POST, "POST", "/peers", world.sourceInput("http_reval"));
    const saved = await call(revalidateRoute.POST, "POST", "/peers/http_reval/validate", undefined, "http_reval");
    expect(saved.json.ok).toBe(true);
    const edited = await call(revalidateRoute.POST, "POST", "/peers/http_reval/validate", { password: DISTINCTIVE_PASSWORD, database: "nope_db" }, "http_reval");
    expect(edited.json).toMatchObject({ ok: false, error: { code: "peer_database_not_found", fields: { database: expect.any(String) } } });
    // The stored password goes only where it was saved for: another database needs it again.
    const elsewhere = await call(revalidateRoute.POST, "POST", "/peers/http_reval/validate", { password: "", database: "nope_db" }, "http_reval");
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.json.error).toMatchObject({ code: "peer_password_required", fields: { password: expect.stringMatching(/Enter the password again/) } });
  });
});

describe("live peer endpoints", () => {
  let held: pg.Client;

  beforeAll(async () => {
    await call(peersRoute.POST, "POST", "/peers", world.sourceInput("live_source"));
    // Tables owned by the peer's role, one without a primary key (replica identity full).
    const admin = await connect("source", world.sourceDatabase);
    try {
      await admin.query(`SET ROLE ${quoteIdent(world.role)}`);
      await admin.query(`
        CREATE SCHEMA shop;
        CREATE TABLE shop.orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL, total numeric(12,2), tags text[]);
        CREATE TABLE shop.events (payload jsonb, seen_at timestamptz);
        ALTER TABLE shop.events REPLICA IDENTITY FULL;
        CREATE PUBLICATION live_pub FOR TABLE shop.orders, shop.events;`);
      // On its own: a slot cannot be created in a transaction that has written.
      await admin.query("SELECT pg_create_logical_replication_slot('live_slot', 'pgoutput')");
    } finally {
      await admin.end();
    }
    // A session that looks like one of pgferry's copies, busy for a while.
    const c = clusterInfo("source");
    held = new pg.Client({ host: c.host, port: c.port, database: world.sourceDatabase, user: world.role, password: DISTINCTIVE_PASSWORD, application_name: "pgferry:copy:shop.orders#1" });
    await held.connect();
    void held.query("select pg_sleep(60) /* copy shop.orders */").catch(() => {});
  });

  afterAll(async () => {
    await held?.end().catch(() => {});
    const admin = await connect("source", world.sourceDatabase);
    await admin.query("SELECT pg_drop_replication_slot('live_slot')").catch(() => {});
    await admin.end();
  });

  test("tables: columns with exact types, primary key and replica identity", async () => {
    const { status, json } = await call(tablesRoute.GET, "GET", "/peers/live_source/tables", undefined, "live_source");
    expect(status).toBe(200);
    expect(json.schemas).toContain("shop");
    const orders = json.tables.find((t: { name: string }) => t.name === "orders");
    expect(orders).toMatchObject({ schema: "shop", primaryKey: ["id"], replicaIdentity: "default", canSelect: true });
    expect(orders.columns.map((c: { name: string; type: string }) => `${c.name} ${c.type}`)).toEqual([
      "id bigint",
      "placed_at timestamp with time zone",
      "total numeric(12,2)",
      "tags text[]",
    ]);
    expect(json.tables.find((t: { name: string }) => t.name === "events")).toMatchObject({ primaryKey: [], replicaIdentity: "full" });
  });

  test("activity: pgferry's sessions with their query and duration, including the one asking", async () => {
    const { status, json } = await call(activityRoute.GET, "GET", "/peers/live_source/activity", undefined, "live_source");
    expect(status).toBe(200);
    const copy = json.sessions.find((s: { applicationName: string }) => s.applicationName === "pgferry:copy:shop.orders#1");
    expect(copy).toMatchObject({ state: "active", waitEvent: "PgSleep", self: false });
    expect(copy.query).toContain("copy shop.orders");
    expect(copy.durationMs).toBeGreaterThanOrEqual(0);
    const self = json.sessions.find((s: { self: boolean }) => s.self);
    expect(self).toMatchObject({ applicationName: "pgferry:ui:activity", state: "active" });
  });

  test("slots and publications", async () => {
    const slots = await call(slotsRoute.GET, "GET", "/peers/live_source/slots", undefined, "live_source");
    expect(slots.status).toBe(200);
    expect(slots.json.slots.find((s: { name: string }) => s.name === "live_slot")).toMatchObject({
      plugin: "pgoutput",
      slotType: "logical",
      active: false,
      walStatus: "reserved",
    });
    const pubs = await call(publicationsRoute.GET, "GET", "/peers/live_source/publications", undefined, "live_source");
    expect(pubs.json.publications).toEqual([
      expect.objectContaining({ name: "live_pub", tables: [{ schema: "shop", name: "events" }, { schema: "shop", name: "orders" }] }),
    ]);
  });

  test("server facts", async () => {
    const { status, json } = await call(serverRoute.GET, "GET", "/peers/live_source/server", undefined, "live_source");
    expect(status).toBe(200);
    expect(json).toMatchObject({ database: world.sourceDatabase, walLevel: "logical", replicationSlots: { max: 20 } });
    expect(json.databaseBytes).toBeGreaterThan(0);
  });

  test("a peer whose server is gone answers 422 with the reason", async () => {
    await world.prisma.peer.update({ where: { name: "live_source" }, data: { host: "no-such-host.invalid" } });
    try {
      const { status, json } = await call(activityRoute.GET, "GET", "/peers/live_source/activity", undefined, "live_source");
      expect(status).toBe(422);
      expect(json.error.code).toBe("peer_host_not_found");
    } finally {
      await world.prisma.peer.update({ where: { name: "live_source" }, data: { host: clusterInfo("source").host } });
    }
  });
});

test("no answer of any endpoint contained the password", () => {
  expect(answers.length).toBeGreaterThan(15);
  for (const answer of answers) expect(answer.text, answer.what).not.toContain(DISTINCTIVE_PASSWORD);
});
