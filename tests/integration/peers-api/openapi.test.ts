import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { GET } from "@/app/api/v1/openapi.json/route";
import { openApiDocument } from "@/lib/web/api/openapi/document";
import { bearerHeaders, setTestApiPassword } from "@/tests/support/api-auth";

setTestApiPassword();

/** Every route file under app/api/v1 as [OpenAPI path, method] pairs, read from its exports. */
async function implementedRoutes(): Promise<string[]> {
  const root = path.resolve("app/api/v1");
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith("route.ts"));
  const routes: string[] = [];
  for (const file of files) {
    const source = await readFile(path.join(root, file), "utf8");
    const apiPath = `/${path.dirname(file)}`.replace(/\[(\w+)\]/g, "{$1}");
    for (const match of source.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)) {
      routes.push(`${match[1].toLowerCase()} ${apiPath}`);
    }
  }
  return routes.sort();
}

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
};

describe("GET /api/v1/openapi.json", () => {
  test("describes exactly the routes that exist, each with its error responses", async () => {
    const doc = openApiDocument() as Doc;
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((method) => `${method} ${p}`))
      .sort();
    const implemented = await implementedRoutes();
    const undocumented = implemented.filter((r) => !documented.includes(r));
    expect(undocumented, "route methods under app/api/v1 that no section in lib/web/api/openapi describes").toEqual([]);
    expect(documented.filter((r) => !implemented.includes(r)), "documented routes that do not exist").toEqual([]);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["401", "500"]));
    }
  });

  test("every $ref points at a schema it defines", () => {
    const doc = openApiDocument() as Doc;
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(20);
    for (const name of refs) expect(doc.components.schemas, name).toHaveProperty(name);
  });

  test("request bodies follow the zod schemas the server parses with", () => {
    const schemas = (openApiDocument() as Doc).components.schemas as Record<string, { required?: string[]; properties: Record<string, { default?: unknown }> }>;
    expect(schemas.PeerCreate.required).toEqual(["name", "host", "database", "user"]);
    expect(schemas.PeerCreate.properties.port.default).toBe(5432);
    expect(schemas.PeerUpdate.required ?? []).toEqual([]);
    expect(schemas.Peer.properties).not.toHaveProperty("password");
  });

  test("the route serves it as JSON", async () => {
    const response = await GET(new Request("http://pgferry.test/api/v1/openapi.json", { headers: bearerHeaders() }), undefined as never);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Doc;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/peers/{name}"]).toHaveProperty("delete");
  });
});
