import { db } from "@/lib/catalog/db";
import { apiRoute, readOptionalJson } from "@/lib/web/api/respond";
import { createReverseMirror } from "@/lib/web/mirrors/cutover-reverse";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/**
 * POST /api/v1/mirrors/{name}/cutover/reverse `{ name? }`: after a cutover done with `reverse: true`, creates the
 * reverse mirror (target → source, CDC without initial load from the switch); 201 with `{ name, startLsn }`.
 */
export const POST = apiRoute(async (request, { params }: Context) => {
  const created = await createReverseMirror(db(), (await params).name, await readOptionalJson(request));
  return Response.json(created, { status: 201 });
});
