import { NextResponse } from "next/server";
import { apiRoute, readJson } from "@/lib/web/api/respond";
import { db } from "@/lib/catalog/db";
import { createPeer, listPeers } from "@/lib/web/peers/service";

export const dynamic = "force-dynamic";

/** GET /api/v1/peers: every peer (never a password), with the mirrors using it. */
export const GET = apiRoute(async () => ({ peers: await listPeers(db()) }));

/** POST /api/v1/peers: validate and save a new peer; 201 with the peer and the validation. */
export const POST = apiRoute(async (request) => NextResponse.json(await createPeer(db(), await readJson(request)), { status: 201 }));
