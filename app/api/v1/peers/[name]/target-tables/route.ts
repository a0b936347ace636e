import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { peerTargetTables } from "@/lib/web/peers/target-tables";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** GET /api/v1/peers/{name}/target-tables: the peer's tables as a mirror's target sees them (exists, rows, which mirror writes each). */
export const GET = apiRoute(async (_request, { params }: Context) => peerTargetTables(db(), (await params).name));
