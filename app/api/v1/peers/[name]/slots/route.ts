import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { peerSlots } from "@/lib/web/peers/service-live";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** GET /api/v1/peers/{name}/slots: replication slots on the peer's server with lag and wal_status, asked live. */
export const GET = apiRoute(async (_request, { params }: Context) => peerSlots(db(), (await params).name));
