import { apiRoute } from "@/lib/api/respond";
import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

/** GET /api/v1/openapi.json: the OpenAPI 3.1 description of every /api/v1 route. */
export const GET = apiRoute(async () => openApiDocument());
