import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as peersRoute from "@/app/api/v1/peers/route";
import * as targetTablesRoute from "@/app/api/v1/peers/[name]/target-tables/route";
import { tableRowCounts } from "@/lib/pg/introspect/row-counts";
import { quoteIdent } from "@/lib/pg/quote";
import { connect } from "@/tests/support/databases";
import { bearerHeaders, setTestApiPassword } from "@/tests/support/api-auth";
import { insertMirror, type PeersApiWorld, setUpWorld } from "./helpers";

/**
 * GET /api/v1/peers/{name}/target-tables: whether each table exists, its rows (counted when small)
 * and which mirror writes it, from the catalog's mirror tables of that target peer.
 */

let world: PeersApiWorld;
let target: pg.Client;
const SCHEMA = `Sales "Dept"`;

beforeAll(async () => {
  setTestApiPassword();
  world = await setUpWorld();
  target = await connect("target", world.targetDatabase);
  // Owned by the peer's role, as a migration target would be, so that it may count them.
  await target.query(`CREATE SCHEMA ${quoteIdent(SCHEMA)} AUTHORIZATION ${quoteIdent(world.role)}`);
  await target.query(`SET ROLE ${quoteIdent(world.role)}`);
  await target.query(`CREATE TABLE ${quoteIdent(SCHEMA)}.empty (id int PRIMARY KEY)`);
  await target.query(`CREATE TABLE ${quoteIdent(SCHEMA)}."Order's" (id int PRIMARY KEY)`);
  await target.query(`INSERT INTO ${quoteIdent(SCHEMA)}."Order's" SELECT generate_series(1, 3)`);
  await target.query(`CREATE TABLE ${quoteIdent(SCHEMA)}.owned (id int)`);
  await target.query(`CREATE TABLE ${quoteIdent(SCHEMA)}.parted (id int) PARTITION BY RANGE (id)`);
  await target.query(`CREATE TABLE ${quoteIdent(SCHEMA)}.parted_1 PARTITION OF ${quoteIdent(SCHEMA)}.parted FOR VALUES FROM (0) TO (100)`);
  await target.query(`INSERT INTO ${quoteIdent(SCHEMA)}.parted SELECT generate_series(1, 5)`);
  await target.query("RESET ROLE");

  for (const input of [world.sourceInput("tt_source"), world.targetInput("tt_target"), world.targetInput("tt_other")]) {
    const response = await peersRoute.POST(new Request("http://pgferry.test/api/v1/peers", { method: "POST", headers: bearerHeaders({ "content-type": "application/json" }), body: JSON.stringify(input) }), undefined);
    expect(response.status).toBe(201);
  }
  const peer = async (name: string) => (await world.prisma.peer.findUniqueOrThrow({ where: { name } })).id;
  const [source, targetPeer, other] = [await peer("tt_source"), await peer("tt_target"), await peer("tt_other")];
  const mirror = async (name: string, targetPeerId: string, tables: { table: string; status?: string }[], status = "running") => {
    const row = await insertMirror(world.prisma, name, source, targetPeerId);
    await world.prisma.mirror.update({ where: { id: row.id }, data: { status } });
    await world.prisma.mirrorTable.createMany({
      data: tables.map(({ table, status: tableStatus }, position) => ({ mirrorId: row.id, position, sourceSchema: SCHEMA, sourceTable: table, targetSchema: SCHEMA, targetTable: table, excludeColumns: [], ...(tableStatus ? { status: tableStatus } : {}) })),
    });
  };
  await mirror("writer", targetPeer, [{ table: "owned" }, { table: "not_yet" }, { table: "empty", status: "removed" }]);
  await mirror("finished", targetPeer, [{ table: "Order's" }], "completed");
  await mirror("elsewhere", other, [{ table: "parted" }]);
});

afterAll(async () => {
  await target?.end();
  await world.close();
});

async function get(name: string) {
  const response = await targetTablesRoute.GET(new Request(`http://pgferry.test/api/v1/peers/${name}/target-tables`, { headers: bearerHeaders() }), { params: Promise.resolve({ name }) });
  return { status: response.status, json: await response.json() };
}

describe("GET /api/v1/peers/{name}/target-tables", () => {
  test("says for each table whether it exists, its exact rows when small, and which mirror writes it", async () => {
    const { status, json } = await get("tt_target");
    expect(status).toBe(200);
    const mine = json.tables.filter((t: { schema: string }) => t.schema === SCHEMA);
    expect(mine).toEqual([
      { schema: SCHEMA, name: "Order's", exists: true, rows: 3, exact: true, ownedBy: null },
      { schema: SCHEMA, name: "empty", exists: true, rows: 0, exact: true, ownedBy: null },
      { schema: SCHEMA, name: "not_yet", exists: false, rows: 0, exact: true, ownedBy: "writer" },
      { schema: SCHEMA, name: "owned", exists: true, rows: 0, exact: true, ownedBy: "writer" },
      { schema: SCHEMA, name: "parted", exists: true, rows: 5, exact: true, ownedBy: null },
    ]);
  });

  test("ownership is per target peer: the same names on another peer belong to that peer's mirrors", async () => {
    const { json } = await get("tt_other");
    const parted = json.tables.find((t: { schema: string; name: string }) => t.schema === SCHEMA && t.name === "parted");
    expect(parted).toMatchObject({ exists: true, rows: 5, ownedBy: "elsewhere" });
    expect(json.tables.some((t: { ownedBy: string | null }) => t.ownedBy === "writer")).toBe(false);
  });

  test("an unknown peer is 404", async () => {
    const { status, json } = await get("nope");
    expect(status).toBe(404);
    expect(json.error.code).toBe("peer_not_found");
  });
});

describe("tableRowCounts beyond the exact limit", () => {
  test("a big never-analysed table says only whether it has rows; after ANALYZE, the estimate", async () => {
    const counts = async () => (await tableRowCounts(target, { exactUpToBytes: 0 })).filter((t) => t.schema === SCHEMA);
    const before = await counts();
    // An empty heap has no pages, so it still counts exactly; a filled one is only probed.
    expect(before.find((t) => t.name === "empty")).toMatchObject({ rows: 0, exact: true });
    expect(before.find((t) => t.name === "Order's")).toMatchObject({ rows: null, exact: false });
    await target.query(`ANALYZE ${quoteIdent(SCHEMA)}."Order's"`);
    expect((await counts()).find((t) => t.name === "Order's")).toMatchObject({ rows: 3, exact: false });
  });
});
