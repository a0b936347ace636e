import { apiRoute } from "@/lib/web/api/respond";
import { openApiDocument } from "@/lib/web/api/openapi/document";

export const dynamic = "force-dynamic";

/** GET /api/v1/openapi.json: the OpenAPI 3.1 description of every /api/v1 route. */
export const GET = apiRoute(async () => openApiDocument());
