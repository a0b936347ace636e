import {
  apiSection,
  type ApiOperation,
  type ApiSection,
  ERROR_SCHEMA,
  errorResponses,
  type HttpMethod,
  type JsonSchema,
  jsonResponse,
} from "@/lib/web/api/openapi/helpers";
import { mirrorsApi } from "@/lib/web/api/openapi/mirrors";
import { peersApi } from "@/lib/web/api/openapi/peers";
import { workersApi } from "@/lib/web/api/openapi/workers";
import { alertsApi } from "@/lib/web/api/openapi/alerts";
import { lagApi } from "@/lib/web/api/openapi/lag";
import { verifyApi } from "@/lib/web/api/openapi/verify";
import { cutoverApi } from "@/lib/web/api/openapi/cutover";

/**
 * The OpenAPI 3.1 description of /api/v1 (served at GET /api/v1/openapi.json), assembled from one
 * section per area. To describe new routes, add a file under lib/web/api/openapi/ that exports an
 * ApiSection (built with apiSection and the other helpers in lib/web/api/openapi/helpers.ts) and append it to API_SECTIONS;
 * tests/integration/peers-api/openapi.test.ts fails while a route file under app/api/v1 exports a
 * method that no section describes.
 */

/** The document itself. */
const metaApi = apiSection("meta", "About the API.", {}, {
  "/openapi.json": {
    get: {
      summary: "This OpenAPI document",
      operationId: "openApiDocument",
      responses: { "200": jsonResponse("OpenAPI 3.1 document.", { type: "object" }), ...errorResponses() },
    },
  },
});

export const API_SECTIONS: ApiSection[] = [peersApi, mirrorsApi, verifyApi, workersApi, alertsApi, lagApi, cutoverApi, metaApi];

/** The whole document. */
export function openApiDocument(sections: ApiSection[] = API_SECTIONS): JsonSchema {
  const paths: Record<string, Partial<Record<HttpMethod, JsonSchema>>> = {};
  const schemas: Record<string, JsonSchema> = { Error: ERROR_SCHEMA };
  for (const section of sections) {
    for (const [path, operations] of Object.entries(section.paths)) {
      paths[path] ??= {};
      for (const [method, operation] of Object.entries(operations) as [HttpMethod, ApiOperation][]) {
        paths[path][method] = { tags: [section.tag.name], ...operation };
      }
    }
    Object.assign(schemas, section.schemas);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "pgferry API",
      version: "1",
      description:
        "Peers and mirrors of pgferry. Every route needs signing in: send the pgferry password as `Authorization: Bearer <password>`. " +
        "Errors answer with `{ \"error\": { \"code\", \"message\", \"fields\"? } }`. Passwords are never returned.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearer: [] }, { session: [] }],
    tags: sections.map((s) => s.tag),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "The pgferry sign-in password." },
        session: { type: "apiKey", in: "cookie", name: "pgferry_session", description: "The browser's session after signing in." },
      },
    },
  };
}
