import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { eventsQuerySchema, searchMirrorEvents } from "@/lib/web/mirrors/events";

export const dynamic = "force-dynamic";

/** GET /api/v1/mirrors/{name}/events?level=warn,error&q=slot&before=<id>&limit=200: the mirror's log, newest first. */
export const GET = apiRoute(async (request, { params }: { params: Promise<{ name: string }> }) => {
  const query = eventsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return searchMirrorEvents(db(), (await params).name, query);
});
