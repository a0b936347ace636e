import { apiRoute } from "@/lib/api/respond";
import { db } from "@/lib/catalog/db";
import { resumeMirror } from "@/lib/mirrors/actions";
import { getMirror } from "@/lib/mirrors/views";

export const dynamic = "force-dynamic";

/** POST /api/v1/mirrors/{name}/resume: continue applying changes where they stopped. */
export const POST = apiRoute(async (_request, { params }: { params: Promise<{ name: string }> }) => {
  const { name } = await params;
  await resumeMirror(db(), name);
  return getMirror(db(), name);
});
