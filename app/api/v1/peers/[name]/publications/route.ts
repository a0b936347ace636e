import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { peerPublications } from "@/lib/web/peers/service-live";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** GET /api/v1/peers/{name}/publications: publications in the peer's database with their tables, asked live. */
export const GET = apiRoute(async (_request, { params }: Context) => peerPublications(db(), (await params).name));
