import { db } from "@/lib/catalog/db";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { getMirror } from "@/lib/web/mirrors/views";
import { apiRoute } from "./respond";

/** A POST /api/v1/mirrors/{name}/<action> handler: runs the action, answers with the mirror as it is now. */
export function mirrorActionRoute(action: (catalog: PrismaClient, name: string) => Promise<void>) {
  return apiRoute(async (_request, { params }: { params: Promise<{ name: string }> }) => {
    const { name } = await params;
    await action(db(), name);
    return getMirror(db(), name);
  });
}
