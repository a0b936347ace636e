import { apiRoute, readJson } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { deletePeer, getPeer, updatePeer } from "@/lib/web/peers/service";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** GET /api/v1/peers/{name}: one peer (never its password). */
export const GET = apiRoute(async (_request, { params }: Context) => getPeer(db(), (await params).name));

/**
 * PATCH /api/v1/peers/{name}: edit (an empty password keeps the stored one, unless the edit points the
 * peer elsewhere: then 400 at `password`), revalidate, save.
 */
export const PATCH = apiRoute(async (request, { params }: Context) => updatePeer(db(), (await params).name, await readJson(request)));

/** DELETE /api/v1/peers/{name}: refused with 409 while a mirror uses the peer. */
export const DELETE = apiRoute(async (_request, { params }: Context) => {
  await deletePeer(db(), (await params).name);
  return new Response(null, { status: 204 });
});
