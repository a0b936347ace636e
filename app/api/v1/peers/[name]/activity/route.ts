import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { peerActivity } from "@/lib/web/peers/service-live";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** GET /api/v1/peers/{name}/activity: pgferry's running sessions on the peer's server, asked live. */
export const GET = apiRoute(async (_request, { params }: Context) => peerActivity(db(), (await params).name));
