import { db } from "@/lib/catalog/db";
import { apiRoute } from "@/lib/web/api/respond";
import { startVerification } from "@/lib/web/mirrors/verify";

export const dynamic = "force-dynamic";

/** POST /api/v1/mirrors/{name}/verify `{ tables?: ["schema.table"] }`: starts a verification run; 202 `{ id }`. */
export const POST = apiRoute(async (request, { params }: { params: Promise<{ name: string }> }) => {
  // An empty body means every table.
  const text = await request.text();
  let body: unknown = {};
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      return Response.json({ error: { code: "invalid_json", message: "The request body must be JSON." } }, { status: 400 });
    }
  }
  const started = await startVerification(db(), (await params).name, body);
  return Response.json(started, { status: 202 });
});
