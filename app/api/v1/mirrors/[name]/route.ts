import { apiRoute, readJson } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { requestDelete } from "@/lib/web/mirrors/actions";
import { editMirror } from "@/lib/web/mirrors/edit";
import { getMirror } from "@/lib/web/mirrors/views";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** GET /api/v1/mirrors/{name}: status, per-table progress, CDC lag and counters. */
export const GET = apiRoute(async (_request, { params }: Context) => getMirror(db(), (await params).name));

/** DELETE /api/v1/mirrors/{name}: stops the mirror and cleans up the source; 202 while that happens. */
export const DELETE = apiRoute(async (_request, { params }: Context) => {
  await requestDelete(db(), (await params).name);
  return Response.json({ status: "deleting" }, { status: 202 });
});

/** PATCH /api/v1/mirrors/{name}: edit settings or remove tables; 202 while the owner applies it. */
export const PATCH = apiRoute(async (request, { params }: Context) => {
  const { name } = await params;
  await editMirror(db(), name, await readJson(request));
  return Response.json(await getMirror(db(), name), { status: 202 });
});
