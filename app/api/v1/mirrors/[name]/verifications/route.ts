import { db } from "@/lib/catalog/db";
import { apiRoute } from "@/lib/web/api/respond";
import { listVerifications } from "@/lib/web/mirrors/verify";

export const dynamic = "force-dynamic";

/** GET /api/v1/mirrors/{name}/verifications?limit=20: the mirror's verification runs, newest first. */
export const GET = apiRoute(async (request, { params }: { params: Promise<{ name: string }> }) => {
  const limit = Number(new URL(request.url).searchParams.get("limit") ?? 20) || 20;
  return { verifications: await listVerifications(db(), (await params).name, limit) };
});
