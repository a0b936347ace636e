import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import type { PrismaClient } from "./generated/client";

/**
 * Which mirrors write which tables of a target peer: qualified target name ("schema.table", as
 * formatQualifiedName spells it) → mirror names, sorted. A table taken out of its mirror and a
 * completed mirror write nothing any more, so neither counts; a failed or paused mirror may be
 * resumed and still does.
 */
export async function targetTableOwners(catalog: PrismaClient, targetPeerId: string): Promise<Map<string, string[]>> {
  const rows = await catalog.mirrorTable.findMany({
    where: { status: { not: "removed" }, mirror: { targetPeerId, status: { not: "completed" } } },
    select: { targetSchema: true, targetTable: true, mirror: { select: { name: true } } },
    orderBy: { mirror: { name: "asc" } },
  });
  const owners = new Map<string, string[]>();
  for (const row of rows) {
    const key = formatQualifiedName({ schema: row.targetSchema, name: row.targetTable });
    const list = owners.get(key) ?? [];
    if (!list.includes(row.mirror.name)) list.push(row.mirror.name);
    owners.set(key, list);
  }
  return owners;
}
