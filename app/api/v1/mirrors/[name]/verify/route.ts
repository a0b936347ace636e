import { db } from "@/lib/catalog/db";
import { apiRoute, readOptionalJson } from "@/lib/web/api/respond";
import { startVerification } from "@/lib/web/mirrors/verify";

export const dynamic = "force-dynamic";

/** POST /api/v1/mirrors/{name}/verify `{ tables?: ["schema.table"] }`: starts a verification run; 202 `{ id }`. */
export const POST = apiRoute(async (request, { params }: { params: Promise<{ name: string }> }) => {
  const started = await startVerification(db(), (await params).name, await readOptionalJson(request));
  return Response.json(started, { status: 202 });
});
