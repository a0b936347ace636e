import type { Prisma } from "@/lib/catalog/generated/client";

/**
 * `include` for a mirror with the tables it drives, in the list's order: a removed table (PATCH,
 * lib/web/mirrors/edit.ts) stays in the catalog as history only.
 */
export const CURRENT_TABLES = { tables: { where: { status: { not: "removed" } }, orderBy: { position: "asc" } } } as const satisfies Prisma.MirrorInclude;
