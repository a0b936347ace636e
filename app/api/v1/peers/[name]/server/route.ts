import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { peerServerInfo } from "@/lib/web/peers/service-live";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** GET /api/v1/peers/{name}/server: server facts (version, database size, wal_level, slots and WAL senders in use), asked live. */
export const GET = apiRoute(async (_request, { params }: Context) => peerServerInfo(db(), (await params).name));
