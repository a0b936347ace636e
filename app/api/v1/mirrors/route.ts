import { apiRoute, readJson } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { createMirror } from "@/lib/web/mirrors/create";
import { getMirror, listMirrors } from "@/lib/web/mirrors/views";

export const dynamic = "force-dynamic";

/** GET /api/v1/mirrors: every mirror with status, tables, rows synced and lag. */
export const GET = apiRoute(async () => ({ mirrors: await listMirrors(db()) }));

/** POST /api/v1/mirrors: checks the peers and tables, then creates the mirror (a worker sets it up). */
export const POST = apiRoute(async (request) => {
  const { name } = await createMirror(db(), await readJson(request));
  return Response.json(await getMirror(db(), name), { status: 201 });
});
