import { runMigrations } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as verifyRoute from "@/app/api/v1/mirrors/[name]/verify/route";
import * as runRoute from "@/app/api/v1/mirrors/[name]/verifications/[id]/route";
import * as listRoute from "@/app/api/v1/mirrors/[name]/verifications/route";
import { bearerHeaders, setTestApiPassword } from "@/tests/support/api-auth";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";
import { createPeerRow } from "@/tests/support/pgferry";

/**
 * The verification routes' HTTP shape, called as Next.js calls them. No worker runs here, so a
 * started run stays running with its tables pending: exactly what the list, get and cancel need.
 */
let catalog: TestCatalog;

type Params = { name: string; id?: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each route types its own params
type Handler = (request: Request, context: { params: Promise<any> }) => Promise<Response>;
async function call(handler: Handler, method: string, params: Params, body?: unknown) {
  const request = new Request(`http://pgferry.test/api/v1/mirrors/${params.name}/verify`, {
    method,
    headers: bearerHeaders(body === undefined ? {} : { "content-type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await handler(request, { params: Promise.resolve(params) });
  return { status: response.status, json: await response.json() };
}

async function insertMirror(name: string, status: string) {
  const [source, target] = await Promise.all([catalog.prisma.peer.findUniqueOrThrow({ where: { name: "src" } }), catalog.prisma.peer.findUniqueOrThrow({ where: { name: "dst" } })]);
  await catalog.prisma.mirror.create({
    data: {
      name,
      sourcePeerId: source.id,
      targetPeerId: target.id,
      mode: "cdc",
      status,
      settings: {},
      publicationName: `pgferry_${name}`,
      slotName: `pgferry_${name}`,
      tables: {
        create: [
          { position: 0, sourceSchema: "public", sourceTable: "a", targetSchema: "public", targetTable: "a", excludeColumns: [] },
          { position: 1, sourceSchema: "public", sourceTable: "b", targetSchema: "copy", targetTable: "b", excludeColumns: ["x"] },
        ],
      },
    },
  });
}

beforeAll(async () => {
  setTestApiPassword();
  catalog = await createTestCatalog();
  // The route handlers use db(), which reads DATABASE_URL.
  process.env.DATABASE_URL = catalog.url;
  await runMigrations({ connectionString: catalog.url });
  await createPeerRow(catalog.prisma, "src", "source", "postgres");
  await createPeerRow(catalog.prisma, "dst", "target", "postgres");
  await insertMirror("loading", "initial_load");
  await insertMirror("live", "running");
});

afterAll(async () => {
  await catalog?.close();
});

describe("verification API", () => {
  it("refuses with 409 while the initial load runs", async () => {
    const answer = await call(verifyRoute.POST, "POST", { name: "loading" });
    expect(answer.status).toBe(409);
    expect(answer.json.error.code).toBe("verification_unavailable");
  });

  it("answers 404 for an unknown mirror and 400 for a table the mirror does not copy", async () => {
    expect((await call(verifyRoute.POST, "POST", { name: "nope" })).status).toBe(404);
    const bad = await call(verifyRoute.POST, "POST", { name: "live" }, { tables: ["public.zzz"] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.tables).toMatch(/public\.zzz/);
    expect((await call(verifyRoute.POST, "POST", { name: "live" }, { tables: "public.a" })).status).toBe(400);
  });

  it("starts (202 { id }), lists newest first, gets, refuses a second run, and cancels", async () => {
    const first = await call(verifyRoute.POST, "POST", { name: "live" }, { tables: ["public.b"] });
    expect(first.status).toBe(202);
    expect(Object.keys(first.json)).toEqual(["id"]);

    const got = await call(runRoute.GET, "GET", { name: "live", id: first.json.id });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      id: first.json.id,
      status: "running",
      finishedAt: null,
      tables: [{ source: "public.b", target: "copy.b", status: "pending", sourceRows: 0, targetRows: 0, differences: 0, examples: [] }],
      progress: { tablesDone: 0, tablesTotal: 1 },
    });
    expect(Date.parse(got.json.startedAt)).not.toBeNaN();

    const busy = await call(verifyRoute.POST, "POST", { name: "live" });
    expect(busy.status).toBe(409);
    expect(busy.json.error.code).toBe("verification_running");

    const cancelled = await call(runRoute.DELETE, "DELETE", { name: "live", id: first.json.id });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe("cancelled");
    expect(cancelled.json.finishedAt).not.toBeNull();
    expect((await call(runRoute.DELETE, "DELETE", { name: "live", id: first.json.id })).status).toBe(409);

    const second = await call(verifyRoute.POST, "POST", { name: "live" });
    expect(second.status).toBe(202);
    const list = await call(listRoute.GET, "GET", { name: "live" });
    expect(list.status).toBe(200);
    expect(list.json.verifications.map((v: { id: string }) => v.id)).toEqual([second.json.id, first.json.id]);
    expect(list.json.verifications[0]).toMatchObject({ status: "running", progress: { tablesTotal: 2 } });
    const jobs = await catalog.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'verify-table'`;
    expect(jobs[0].n).toBe(3);
  });

  it("answers 404 for an unknown or malformed run id", async () => {
    expect((await call(runRoute.GET, "GET", { name: "live", id: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
    expect((await call(runRoute.GET, "GET", { name: "live", id: "not-a-uuid" })).status).toBe(404);
  });
});
