import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { listWorkers } from "@/lib/catalog/workers";

export const dynamic = "force-dynamic";

/** GET /api/v1/workers: every known worker and how many are online. */
export const GET = apiRoute(async () => {
  const workers = await listWorkers(db());
  return { online: workers.filter((w) => w.online).length, workers };
});
