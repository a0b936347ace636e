import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as revalidateRoute from "@/app/api/v1/peers/[name]/validate/route";
import * as peersRoute from "@/app/api/v1/peers/route";
import * as validateRoute from "@/app/api/v1/peers/validate/route";
import { expectNoSecret } from "@/tests/integration/peers/helpers";
import { callRoute, type PeersApiWorld, setUpSignedInWorld } from "./helpers";

/**
 * A second peer pointing at a database another peer already uses (same host, port and database) is
 * saved, with a warning naming the other peer: from POST /peers/validate, POST /peers and the edit
 * form's validate, never about the peer itself, and never stored as part of the peer's validation.
 */

let world: PeersApiWorld;

beforeAll(async () => {
  world = await setUpSignedInWorld();
});

afterAll(() => world.close());

async function call(handler: Parameters<typeof callRoute>[0], path: string, body: object, name = "") {
  const response = await callRoute(handler, "POST", path, body, name);
  const json = await response.json();
  expectNoSecret(json);
  return { status: response.status, json };
}

const SAME_DATABASE = /^Peer "shop_main" already points at database "[^"]+" on [^:]+:\d+\.$/;

describe("a second peer for the same database", () => {
  test("the first peer gets no warning, on validate or on save", async () => {
    const validated = await call(validateRoute.POST, "/peers/validate", world.sourceInput("shop_main"));
    expect(validated.status).toBe(200);
    expect(validated.json.ok).toBe(true);
    expect(validated.json.warnings).toBeUndefined();

    const created = await call(peersRoute.POST, "/peers", world.sourceInput("shop_main"));
    expect(created.status).toBe(201);
    expect(created.json.validation.warnings).toBeUndefined();
  });

  test("validating another peer for that database warns, naming the peer that has it; the checks still pass", async () => {
    const { status, json } = await call(validateRoute.POST, "/peers/validate", world.sourceInput("shop_again"));
    expect(status).toBe(200);
    expect(json.ok).toBe(true);
    expect(json.usableAsCdcSource).toBe(true);
    expect(json.warnings).toEqual([{ code: "peer_same_database", message: expect.stringMatching(SAME_DATABASE), fix: expect.any(String), peers: ["shop_main"] }]);
  });

  test("the host is compared without case; another database or port on that server is no warning", async () => {
    const input = world.sourceInput("shop_again") as { port: number; database: string };
    // A row written directly: its host needs no server, the warning comes from the catalog alone.
    await world.prisma.peer.create({
      data: { name: "cased", host: "DB.Example.invalid", port: 5432, database: "shop", user: "u", passwordEncrypted: "-", tlsMode: "disable" },
    });
    const cased = await call(validateRoute.POST, "/peers/validate", { ...input, host: "db.example.INVALID", port: 5432, database: "shop" });
    expect(cased.json.ok).toBe(false);
    expect(cased.json.warnings).toEqual([expect.objectContaining({ peers: ["cased"] })]);
    await world.prisma.peer.delete({ where: { name: "cased" } });

    const otherDatabase = await call(validateRoute.POST, "/peers/validate", { ...input, database: "postgres" });
    expect(otherDatabase.json.warnings).toBeUndefined();
    const otherPort = await call(validateRoute.POST, "/peers/validate", { ...input, port: input.port + 1 });
    expect(otherPort.json.warnings).toBeUndefined();
  });

  test("saving it is allowed, with the warning; it is not stored with the peer's validation", async () => {
    const created = await call(peersRoute.POST, "/peers", world.sourceInput("shop_again"));
    expect(created.status).toBe(201);
    expect(created.json.validation.warnings).toEqual([expect.objectContaining({ code: "peer_same_database", peers: ["shop_main"] })]);
    expect(created.json.peer.lastValidation.warnings).toBeUndefined();
  });

  test("revalidating a saved peer names the others, never itself", async () => {
    const { status, json } = await call(revalidateRoute.POST, "/peers/shop_main/validate", {}, "shop_main");
    expect(status).toBe(200);
    expect(json.warnings).toEqual([expect.objectContaining({ code: "peer_same_database", peers: ["shop_again"] })]);

    const third = await call(validateRoute.POST, "/peers/validate", world.sourceInput("shop_third"));
    expect(third.json.warnings?.[0]).toMatchObject({ peers: ["shop_again", "shop_main"], message: expect.stringMatching(/^Peers "shop_again", "shop_main" already point at/) });
  });
});
