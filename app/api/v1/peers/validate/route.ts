import { db } from "@/lib/catalog/db";
import { apiRoute, readJson } from "@/lib/web/api/respond";
import { validateUnsaved } from "@/lib/web/peers/service";

export const dynamic = "force-dynamic";

/** POST /api/v1/peers/validate: run the checks on connection details without saving them. */
export const POST = apiRoute(async (request) => validateUnsaved(await readJson(request), db()));
