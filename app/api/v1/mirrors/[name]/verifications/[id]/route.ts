import { db } from "@/lib/catalog/db";
import { apiRoute } from "@/lib/web/api/respond";
import { cancelVerification, getVerification } from "@/lib/web/mirrors/verify";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string; id: string }> };

/** GET /api/v1/mirrors/{name}/verifications/{id}: the run, each table's result and example differences. */
export const GET = apiRoute(async (_request, { params }: Context) => {
  const { name, id } = await params;
  return getVerification(db(), name, id);
});

/** DELETE /api/v1/mirrors/{name}/verifications/{id}: cancels a running run; answers with the run. */
export const DELETE = apiRoute(async (_request, { params }: Context) => {
  const { name, id } = await params;
  return cancelVerification(db(), name, id);
});
