import { db } from "@/lib/catalog/db";
import { apiRoute, readJson } from "@/lib/web/api/respond";
import { sendTestAlert } from "@/lib/web/alerts";

export const dynamic = "force-dynamic";

/** POST /api/v1/alerts/test: sends a test alert to the body's webhookUrl, or to the saved one. */
export const POST = apiRoute(async (request) => {
  const body = request.headers.get("content-type")?.includes("json") ? await readJson(request) : {};
  return sendTestAlert(db(), body);
});
