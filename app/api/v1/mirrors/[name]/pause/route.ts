import { apiRoute } from "@/lib/api/respond";
import { db } from "@/lib/catalog/db";
import { pauseMirror } from "@/lib/mirrors/actions";
import { getMirror } from "@/lib/mirrors/views";

export const dynamic = "force-dynamic";

/** POST /api/v1/mirrors/{name}/pause: stop applying changes (the source keeps WAL meanwhile). */
export const POST = apiRoute(async (_request, { params }: { params: Promise<{ name: string }> }) => {
  const { name } = await params;
  await pauseMirror(db(), name);
  return getMirror(db(), name);
});
