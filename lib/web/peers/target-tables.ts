import type { PrismaClient } from "@/lib/catalog/generated/client";
import { targetTableOwners } from "@/lib/catalog/target-table-owners";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { formatQualifiedName, parseQualifiedName } from "@/lib/mirrors/table-mapping";
import { tableRowCounts } from "@/lib/pg/introspect/row-counts";
import { withPeerClient } from "./service-live";

/** What a mirror would find at one target table. */
export interface TargetTableInfo {
  schema: string;
  name: string;
  exists: boolean;
  /** Rows in it (see TableRowCount.rows): 0 when it does not exist, null when it has rows but how many is unknown. */
  rows: number | null;
  /** Whether `rows` was counted rather than estimated. */
  exact: boolean;
  /** The first (by name) of the mirrors that write this table, or null. */
  ownedBy: string | null;
}

/**
 * The tables of a peer as a mirror's target sees them: every existing user table with its row
 * count, plus tables that mirrors write but that do not exist yet (a mirror still in setup), each
 * with the mirror that writes it. A table absent from the answer does not exist and nobody writes it.
 * Errors as the other live questions (lib/web/peers/service-live.ts).
 */
export async function peerTargetTables(catalog: PrismaClient, peerName: string): Promise<{ tables: TargetTableInfo[] }> {
  const peer = await catalog.peer.findUnique({ where: { name: peerName }, select: { id: true } });
  if (!peer) throw new UserFacingError(`There is no peer named "${peerName}".`, "peer_not_found", undefined, 404);
  const [owners, counts] = await Promise.all([targetTableOwners(catalog, peer.id), withPeerClient(catalog, peerName, "ui:target-tables", (client) => tableRowCounts(client))]);

  const tables = new Map<string, TargetTableInfo>();
  for (const t of counts) {
    const key = formatQualifiedName(t);
    tables.set(key, { ...t, exists: true, ownedBy: owners.get(key)?.[0] ?? null });
  }
  for (const [key, mirrors] of owners) {
    if (!tables.has(key)) tables.set(key, { ...parseQualifiedName(key), exists: false, rows: 0, exact: true, ownedBy: mirrors[0] });
  }
  return { tables: [...tables.values()].sort((a, b) => (a.schema === b.schema ? cmp(a.name, b.name) : cmp(a.schema, b.schema))) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
