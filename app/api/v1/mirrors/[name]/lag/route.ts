import { db } from "@/lib/catalog/db";
import { apiRoute } from "@/lib/web/api/respond";
import { mirrorLagHistory } from "@/lib/web/lag-history";

export const dynamic = "force-dynamic";

/** GET /api/v1/mirrors/{name}/lag?range=1h|24h|7d: lag bytes, seconds and retained WAL over time. */
export const GET = apiRoute(async (request, { params }: { params: Promise<{ name: string }> }) =>
  mirrorLagHistory(db(), (await params).name, new URL(request.url).searchParams.get("range") ?? undefined),
);
