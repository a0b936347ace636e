import { db } from "@/lib/catalog/db";
import { collectMetrics } from "@/lib/metrics/collect";
import { apiRoute } from "@/lib/web/api/respond";
import { isPublicPath } from "@/lib/web/auth/public-paths";

export const dynamic = "force-dynamic";

const scrape = async () => {
  const { contentType, body } = await collectMetrics(db());
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
};
const gated = apiRoute(scrape);
const open = apiRoute(scrape, { public: true });

/** GET /metrics: Prometheus text format; bearer password like the API, or public with PGFERRY_METRICS_PUBLIC=1. */
export async function GET(request: Request): Promise<Response> {
  return (isPublicPath("/metrics") ? open : gated)(request, undefined);
}
