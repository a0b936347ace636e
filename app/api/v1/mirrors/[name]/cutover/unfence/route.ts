import { db } from "@/lib/catalog/db";
import { apiRoute } from "@/lib/web/api/respond";
import { unfenceCutover } from "@/lib/web/mirrors/cutover";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

/** POST /api/v1/mirrors/{name}/cutover/unfence: grants back what a stopped cutover's fence revoked; 200 with the cutover. */
export const POST = apiRoute(async (_request, { params }: Context) => Response.json(await unfenceCutover(db(), (await params).name)));
