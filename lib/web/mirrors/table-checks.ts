import type { PrismaClient } from "@/lib/catalog/generated/client";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import type { connectPeer } from "@/lib/pg/connect";
import { describeTables, type SourceDescription } from "@/lib/pg/describe";
import { buildTablePlans } from "@/lib/mirrors/table-plan";
import { checkDescribedTargetTables } from "@/lib/mirrors/target-check";
import { formatQualifiedName, type TableMapping } from "@/lib/mirrors/table-mapping";
import { targetOwners, targetRefusal } from "./target-refusal";

type Client = Awaited<ReturnType<typeof connectPeer>>;

/** How long one query of the table checks may run. Default: 30 s. */
export const TABLE_CHECK_TIMEOUT_MS = 30_000;

/**
 * The checks of tables about to be mirrored, at creation (create.ts) and when tables are added to a
 * mirror (edit.ts): they exist on the source and, for CDC, can publish updates and deletes; the
 * mapping is valid; their target tables, where they exist, are compatible and empty (unless the
 * initial load is skipped) and not written by another mirror. Each refusal is a UserFacingError at
 * `tables.N…`, N being the table's index in `fieldIndexes` (default: its index in `mapping`).
 */
export async function checkTablesToMirror(
  catalog: PrismaClient,
  { source, target, targetPeerId, mapping, cdc, targetMustBeEmpty, fieldIndexes }: {
    source: Client;
    target: Client;
    targetPeerId: string;
    mapping: TableMapping[];
    cdc: boolean;
    targetMustBeEmpty: boolean;
    fieldIndexes?: number[];
  },
): Promise<SourceDescription> {
  const at = (index: number) => fieldIndexes?.[index] ?? index;
  const owners = await targetOwners(catalog, targetPeerId, mapping);
  const description = await describeSelected(source, mapping);
  if (cdc) checkPublishable(description, mapping, at);
  let problems = null;
  try {
    buildTablePlans(description, mapping);
    // The source was described just now: only the target is read again.
    if (targetMustBeEmpty) problems = await checkDescribedTargetTables(target, description, mapping);
  } catch (error) {
    throw new UserFacingError(capitalize((error as Error).message), "target_not_ready", { tables: capitalize((error as Error).message) });
  }
  // Each table's problems (rows already there, another mirror writing it) at that table, all at once.
  const refusal = targetRefusal(mapping, owners, problems);
  if (refusal && fieldIndexes) {
    const fields = Object.fromEntries(Object.entries(refusal.fields ?? {}).map(([key, text]) => [key.replace(/^tables\.(\d+)\./, (_, i) => `tables.${at(Number(i))}.`), text]));
    throw new UserFacingError(refusal.message, refusal.code, fields, refusal.status);
  }
  if (refusal) throw refusal;
  return description;
}

async function describeSelected(client: Client, mapping: TableMapping[]): Promise<SourceDescription> {
  try {
    return await describeTables(client, mapping.map((m) => m.source));
  } catch (error) {
    const message = capitalize((error as Error).message);
    throw new UserFacingError(message, "table_not_found", { tables: message });
  }
}

/** Without a primary key (or replica identity index/FULL) PostgreSQL refuses UPDATE and DELETE on a published table. */
function checkPublishable(description: SourceDescription, mapping: TableMapping[], at: (index: number) => number): void {
  for (const [index, table] of description.tables.entries()) {
    const identity = table.replicaIdentity;
    const ok = identity === "full" || identity === "index" || (identity === "default" && table.primaryKey.length > 0);
    if (!ok) {
      const name = formatQualifiedName(mapping[index].source);
      const message = `Table ${name} has no primary key and its replica identity is not FULL, so its updates and deletes cannot be replicated. Add a primary key, or run ALTER TABLE ${name} REPLICA IDENTITY FULL, or choose initial copy only.`;
      throw new UserFacingError(message, "table_not_replicable", { [`tables.${at(index)}.source`]: message, tables: message });
    }
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
