import { apiRoute, readJson } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { revalidatePeer } from "@/lib/web/peers/service";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/**
 * POST /api/v1/peers/{name}/validate: run the checks on the saved peer, with an unsaved edit applied
 * when the body has one (an empty password means the stored one, which is never sent to another host,
 * port, user or database: 400 at `password`). Without an edit the result is recorded.
 */
export const POST = apiRoute(async (request, { params }: Context) => {
  // No body at all means "validate the peer as saved".
  const body = (await request.clone().text()).trim() ? await readJson(request) : {};
  return revalidatePeer(db(), (await params).name, body);
});
