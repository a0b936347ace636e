import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { mirrorBatches } from "@/lib/web/mirrors/views";

export const dynamic = "force-dynamic";

/** GET /api/v1/mirrors/{name}/batches: recent CDC batches and rows per minute over the last hour. */
export const GET = apiRoute(async (_request, { params }: { params: Promise<{ name: string }> }) => mirrorBatches(db(), (await params).name));
