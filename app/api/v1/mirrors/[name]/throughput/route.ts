import { db } from "@/lib/catalog/db";
import { apiRoute } from "@/lib/web/api/respond";
import { mirrorThroughput, throughputQuerySchema } from "@/lib/web/mirrors/throughput";

export const dynamic = "force-dynamic";

/** GET /api/v1/mirrors/{name}/throughput?range=1h|24h|7d: inserts, updates and deletes applied per time bucket. */
export const GET = apiRoute(async (request, { params }: { params: Promise<{ name: string }> }) => {
  const { range } = throughputQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return mirrorThroughput(db(), (await params).name, range);
});
