import { db } from "@/lib/catalog/db";
import { apiRoute, readOptionalJson } from "@/lib/web/api/respond";
import { syncMirrorSequences } from "@/lib/web/mirrors/cutover";

export const dynamic = "force-dynamic";

/** POST /api/v1/mirrors/{name}/sequences/sync `{ margin?: 0 }`: 200 `{ sequences: [{ source, target, sourceValue, targetValue, status }] }` once done. */
export const POST = apiRoute(async (request, { params }: Context) => syncMirrorSequences(db(), (await params).name, await readOptionalJson(request)));

type Context = { params: Promise<{ name: string }> };
