import { apiRoute } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { peerTables } from "@/lib/web/peers/service-live";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** GET /api/v1/peers/{name}/tables: schemas and tables with estimated rows, size, primary key, replica identity and columns, asked live. */
export const GET = apiRoute(async (_request, { params }: Context) => peerTables(db(), (await params).name));
