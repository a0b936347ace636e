import { db } from "@/lib/catalog/db";
import { healthResponse } from "@/lib/web/health";

export const dynamic = "force-dynamic";

/** GET /api/health: public (see lib/web/auth/public-paths.ts); 200 or 503, nothing secret. */
export async function GET(): Promise<Response> {
  return healthResponse(db());
}
