import { db } from "@/lib/catalog/db";
import { apiRoute, readOptionalJson } from "@/lib/web/api/respond";
import { resync } from "@/lib/web/mirrors/resync-tables";
import { getMirror } from "@/lib/web/mirrors/views";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/mirrors/{name}/resync: no body — empty the target tables and copy them again from a new
 * snapshot; `{ "tables": ["schema.table"] }` — copy those tables again on their own while the others keep streaming.
 */
export const POST = apiRoute(async (request, { params }: { params: Promise<{ name: string }> }) => {
  const { name } = await params;
  await resync(db(), name, await readOptionalJson(request));
  return getMirror(db(), name);
});
