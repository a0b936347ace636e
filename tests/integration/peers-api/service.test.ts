import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { peerConnection } from "@/lib/catalog/peers";
import {
  createPeer,
  deletePeer,
  getPeer,
  listPeers,
  revalidatePeer,
  updatePeer,
  validateUnsaved,
} from "@/lib/web/peers/service";
import { freePort } from "@/lib/pg/free-port";
import { startCluster, type TestCluster } from "@/tests/support/clusters";
import { DISTINCTIVE_PASSWORD, expectNoSecret } from "@/tests/integration/peers/helpers";
import { insertMirror, type PeersApiWorld, setUpWorld, userError } from "./helpers";

let world: PeersApiWorld;

beforeAll(async () => {
  world = await setUpWorld();
});

afterAll(async () => {
  await world.close();
});

async function peerCount(): Promise<number> {
  return world.prisma.peer.count();
}

describe("createPeer", () => {
  test("validates, saves with the password encrypted, and lists it without the password", async () => {
    const saved = await createPeer(world.prisma, world.sourceInput("orders_source"));
    expectNoSecret(saved);
    expect(saved.validation.ok).toBe(true);
    expect(saved.validation.checks.every((c) => c.status === "pass")).toBe(true);
    expect(saved.peer).toMatchObject({
      name: "orders_source",
      database: world.sourceDatabase,
      user: world.role,
      tlsMode: "disable",
      caCert: null,
      mirrors: [],
    });
    expect(saved.peer.serverVersion).toMatch(/^18/);
    expect(saved.peer.lastValidation?.usableAsCdcSource).toBe(true);
    expect(saved.peer.validatedAt).not.toBeNull();
    expect(Object.keys(saved.peer)).not.toContain("password");
    expect(Object.keys(saved.peer)).not.toContain("passwordEncrypted");

    // At rest: ciphertext only, which decrypts (bound to this row's id) to the password.
    const row = await world.prisma.peer.findUniqueOrThrow({ where: { name: "orders_source" } });
    expect(row.passwordEncrypted).not.toContain(DISTINCTIVE_PASSWORD);
    expect(JSON.stringify(row)).not.toContain(DISTINCTIVE_PASSWORD);
    expect(peerConnection(row).password).toBe(DISTINCTIVE_PASSWORD);

    const listed = await listPeers(world.prisma);
    expectNoSecret(listed);
    expect(listed.map((p) => p.name)).toContain("orders_source");
    const got = await getPeer(world.prisma, "orders_source");
    expectNoSecret(got);
    expect(got).toEqual(saved.peer);
  });

  test("refuses a duplicate name with 409 at the name field and saves nothing", async () => {
    await createPeer(world.prisma, world.targetInput("dup_target"));
    const before = await peerCount();
    const error = await userError(createPeer(world.prisma, world.targetInput("dup_target")));
    expect(error.status).toBe(409);
    expect(error.code).toBe("peer_name_taken");
    expect(error.fields).toEqual({ name: "A peer named dup_target already exists." });
    expect(await peerCount()).toBe(before);
  });

  test.each([
    ["a name with upper case", { name: "Orders" }, "name", /lowercase letters/],
    ["a name with spaces", { name: "my peer" }, "name", /lowercase letters/],
    ["port 0", { port: 0 }, "port", /between 1 and 65535/],
    ["port 70000", { port: 70000 }, "port", /between 1 and 65535/],
    ["an empty database", { database: "" }, "database", /Database is required/],
    ["an empty host", { host: "  " }, "host", /Host is required/],
    ["verify-ca without a CA", { tlsMode: "verify-ca" }, "caCert", /CA certificate/],
  ])("refuses %s with a message at that field (400) and saves nothing", async (_what, change, field, message) => {
    const before = await peerCount();
    const error = await userError(createPeer(world.prisma, { ...world.sourceInput("bad_input"), ...change }));
    expect(error.status).toBe(400);
    expect(error.code).toBe("peer_invalid");
    expect(error.fields?.[field]).toMatch(message);
    expectNoSecret(error);
    expect(await peerCount()).toBe(before);
  });

  test("refuses a wrong password, an unknown host and a closed port at the right field (422), saving nothing", async () => {
    const before = await peerCount();
    const wrongPassword = await userError(createPeer(world.prisma, { ...world.sourceInput("unreachable"), password: "not-it" }));
    expect(wrongPassword).toMatchObject({ status: 422, code: "peer_auth_failed" });
    expect(wrongPassword.fields?.password).toMatch(/Authentication failed/);

    const unknownHost = await userError(createPeer(world.prisma, { ...world.sourceInput("unreachable"), host: "no-such-host.invalid" }));
    expect(unknownHost).toMatchObject({ status: 422, code: "peer_host_not_found" });
    expect(unknownHost.fields?.host).toMatch(/was not found/);

    const closedPort = await userError(createPeer(world.prisma, { ...world.sourceInput("unreachable"), port: await freePort() }));
    expect(closedPort).toMatchObject({ status: 422, code: "peer_connection_refused" });
    expect(closedPort.fields?.port).toMatch(/refused/);

    for (const error of [wrongPassword, unknownHost, closedPort]) expectNoSecret(error);
    expect(await peerCount()).toBe(before);
    await expect(getPeer(world.prisma, "unreachable")).rejects.toMatchObject({ status: 404 });
  });
});

describe("a server with wal_level=replica", () => {
  let replica: TestCluster;
  beforeAll(async () => {
    replica = await startCluster("peers-api-replica", { walLevel: "replica" });
  });
  afterAll(async () => {
    await replica.stop();
  });

  test("is saved with a wal_level warning and the fix: fine as a target, not as a CDC source", async () => {
    const saved = await createPeer(world.prisma, {
      name: "replica_target",
      host: replica.host,
      port: replica.port,
      database: "postgres",
      user: replica.user,
      password: replica.password,
      tlsMode: "disable",
    });
    const walLevel = saved.validation.checks.find((c) => c.id === "wal_level");
    expect(walLevel).toMatchObject({ status: "warn" });
    expect(walLevel?.fix).toMatch(/wal_level = logical/);
    expect(saved.validation).toMatchObject({ ok: true, usableAsTarget: true, usableAsCdcSource: false });
    expect((await getPeer(world.prisma, "replica_target")).lastValidation?.checks.find((c) => c.id === "wal_level")?.status).toBe("warn");
  });
});

describe("updatePeer", () => {
  beforeAll(async () => {
    await createPeer(world.prisma, world.sourceInput("editable"));
  });

  test("an empty password keeps the stored one; the edit is revalidated and saved", async () => {
    const before = await world.prisma.peer.findUniqueOrThrow({ where: { name: "editable" } });
    const saved = await updatePeer(world.prisma, "editable", { ...world.sourceInput("editable"), password: "", tlsMode: "prefer" });
    expectNoSecret(saved);
    expect(saved.peer.tlsMode).toBe("prefer");
    expect(saved.validation.ok).toBe(true);
    const after = await world.prisma.peer.findUniqueOrThrow({ where: { name: "editable" } });
    expect(after.passwordEncrypted).toBe(before.passwordEncrypted);
    expect(peerConnection(after).password).toBe(DISTINCTIVE_PASSWORD);
    expect(after.validatedAt!.getTime()).toBeGreaterThanOrEqual(before.validatedAt!.getTime());
  });

  test("a change that cannot connect is refused at its field and nothing changes", async () => {
    const before = await world.prisma.peer.findUniqueOrThrow({ where: { name: "editable" } });
    const error = await userError(updatePeer(world.prisma, "editable", { password: "wrong-password" }));
    expect(error).toMatchObject({ status: 422, code: "peer_auth_failed" });
    expect(error.fields?.password).toBeDefined();
    const closed = await userError(updatePeer(world.prisma, "editable", { port: await freePort(), password: DISTINCTIVE_PASSWORD }));
    expect(closed.fields?.port).toMatch(/refused/);
    expect(await world.prisma.peer.findUniqueOrThrow({ where: { name: "editable" } })).toEqual(before);
  });

  test("refuses bad input at the field, switching to verify-ca without a CA, and an unknown peer", async () => {
    expect((await userError(updatePeer(world.prisma, "editable", { port: 70000 }))).fields?.port).toMatch(/between 1 and 65535/);
    expect((await userError(updatePeer(world.prisma, "editable", { tlsMode: "verify-ca" }))).fields?.caCert).toMatch(/CA certificate/);
    expect(await userError(updatePeer(world.prisma, "nobody", { port: 5432 }))).toMatchObject({ status: 404, code: "peer_not_found" });
  });

  test("renames (refusing a taken name) and re-encrypts a new password", async () => {
    await createPeer(world.prisma, world.targetInput("taken_name"));
    const taken = await userError(updatePeer(world.prisma, "editable", { name: "taken_name" }));
    expect(taken).toMatchObject({ status: 409, fields: { name: "A peer named taken_name already exists." } });

    const renamed = await updatePeer(world.prisma, "editable", { name: "edited", password: DISTINCTIVE_PASSWORD });
    expect(renamed.peer.name).toBe("edited");
    await expect(getPeer(world.prisma, "editable")).rejects.toMatchObject({ status: 404 });
    const row = await world.prisma.peer.findUniqueOrThrow({ where: { name: "edited" } });
    expect(row.passwordEncrypted).not.toContain(DISTINCTIVE_PASSWORD);
    expect(peerConnection(row).password).toBe(DISTINCTIVE_PASSWORD);
  });
});

describe("validation without saving", () => {
  test("validateUnsaved checks details, refuses bad input, and never echoes the password", async () => {
    const good = await validateUnsaved({ ...world.sourceInput("ignored"), name: undefined });
    expectNoSecret(good);
    expect(good.ok).toBe(true);
    const wrong = await validateUnsaved({ ...world.sourceInput("ignored"), password: `${DISTINCTIVE_PASSWORD}x` });
    expectNoSecret(wrong);
    expect(wrong).toMatchObject({ ok: false, error: { code: "peer_auth_failed" } });
    expect((await userError(validateUnsaved({ host: "h", port: "x", database: "d", user: "u" }))).fields?.port).toMatch(/number/);
  });

  test("revalidatePeer records the result only when validating the saved details", async () => {
    await createPeer(world.prisma, world.sourceInput("revalidated"));
    await world.prisma.peer.update({ where: { name: "revalidated" }, data: { validatedAt: new Date(0), serverVersion: null } });
    const edited = await revalidatePeer(world.prisma, "revalidated", { password: "not-the-password" });
    expect(edited).toMatchObject({ ok: false, error: { code: "peer_auth_failed" } });
    expect((await getPeer(world.prisma, "revalidated")).validatedAt).toBe(new Date(0).toISOString());

    const withStoredPassword = await revalidatePeer(world.prisma, "revalidated", { password: "" });
    expect(withStoredPassword.ok).toBe(true);
    const fresh = await revalidatePeer(world.prisma, "revalidated");
    expectNoSecret(fresh);
    const peer = await getPeer(world.prisma, "revalidated");
    expect(peer.validatedAt).not.toBe(new Date(0).toISOString());
    expect(peer.serverVersion).toMatch(/^18/);
  });
});

describe("deletePeer", () => {
  test("is refused while a mirror uses the peer, naming the mirror, and works once it is gone", async () => {
    const source = await createPeer(world.prisma, world.sourceInput("in_use_source"));
    const target = await createPeer(world.prisma, world.targetInput("in_use_target"));
    const mirror = await insertMirror(world.prisma, "orders_to_new", source.peer.id, target.peer.id);

    expect((await getPeer(world.prisma, "in_use_source")).mirrors).toEqual(["orders_to_new"]);
    expect((await listPeers(world.prisma)).find((p) => p.name === "in_use_target")?.mirrors).toEqual(["orders_to_new"]);
    for (const name of ["in_use_source", "in_use_target"]) {
      const refused = await userError(deletePeer(world.prisma, name));
      expect(refused).toMatchObject({ status: 409, code: "peer_in_use" });
      expect(refused.message).toBe(`Peer "${name}" cannot be deleted: mirror "orders_to_new" uses it. Delete that mirror first.`);
    }
    const second = await insertMirror(world.prisma, "orders_again", source.peer.id, source.peer.id);
    expect((await userError(deletePeer(world.prisma, "in_use_source"))).message).toMatch(/mirrors "orders_again", "orders_to_new" use it/);

    await world.prisma.mirror.deleteMany({ where: { id: { in: [mirror.id, second.id] } } });
    await deletePeer(world.prisma, "in_use_source");
    await expect(getPeer(world.prisma, "in_use_source")).rejects.toMatchObject({ status: 404, code: "peer_not_found" });
    expect(await userError(deletePeer(world.prisma, "in_use_source"))).toMatchObject({ status: 404 });
  });
});
