import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { mirrorEvents } from "@/lib/web/mirrors/views";

export const dynamic = "force-dynamic";

/** GET /api/v1/mirrors/{name}/events?limit=200: the mirror's log, newest first. */
export const GET = apiRoute(async (request, { params }: { params: Promise<{ name: string }> }) => {
  const limit = Number(new URL(request.url).searchParams.get("limit") ?? 200) || 200;
  return { events: await mirrorEvents(db(), (await params).name, limit) };
});
