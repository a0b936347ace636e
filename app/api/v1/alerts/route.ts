import { db } from "@/lib/catalog/db";
import { apiRoute, readJson } from "@/lib/web/api/respond";
import { getAlertSettings, saveAlertSettings } from "@/lib/web/alerts";

export const dynamic = "force-dynamic";

/** GET /api/v1/alerts: the webhook and thresholds. */
export const GET = apiRoute(async () => getAlertSettings(db()));

/** PUT /api/v1/alerts: replaces them (a threshold left out turns that alert off). */
export const PUT = apiRoute(async (request) => saveAlertSettings(db(), await readJson(request)));
