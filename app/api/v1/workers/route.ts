import { apiRoute } from "@/lib/api/respond";
import { db } from "@/lib/catalog/db";
import { listWorkers } from "@/lib/workers/status";

export const dynamic = "force-dynamic";

/** GET /api/v1/workers: every known worker and how many are online. */
export const GET = apiRoute(async () => {
  const workers = await listWorkers(db());
  return { online: workers.filter((w) => w.online).length, workers };
});
