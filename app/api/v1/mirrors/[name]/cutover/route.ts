import { db } from "@/lib/catalog/db";
import { apiRoute, readOptionalJson } from "@/lib/web/api/respond";
import { abortCutover, getCutover, startCutover } from "@/lib/web/mirrors/cutover";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** GET /api/v1/mirrors/{name}/cutover: the latest cutover (`{ cutover: null }` when none). */
export const GET = apiRoute(async (_request, { params }: Context) => ({ cutover: await getCutover(db(), (await params).name) }));

/** POST /api/v1/mirrors/{name}/cutover `{ fenceWrites?, sequenceMargin?, maxLagSeconds?, buildObjects?, verify?, dropSource?, reverse? }`: 202 with the cutover. */
export const POST = apiRoute(async (request, { params }: Context) => {
  const cutover = await startCutover(db(), (await params).name, await readOptionalJson(request));
  return Response.json(cutover, { status: 202 });
});

/** DELETE /api/v1/mirrors/{name}/cutover: aborts before the switch; 202 with the cutover (status aborting). */
export const DELETE = apiRoute(async (_request, { params }: Context) => {
  const cutover = await abortCutover(db(), (await params).name);
  return Response.json(cutover, { status: 202 });
});
