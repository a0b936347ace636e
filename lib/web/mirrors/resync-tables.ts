import { z } from "zod";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { queueTableCopies } from "@/lib/catalog/table-copy-queue";
import { signalMirrorsChanged } from "@/lib/catalog/mirror-signal";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { MAX_TABLES_PER_MIRROR } from "@/lib/mirrors/input";
import { formatQualifiedName, parseQualifiedName } from "@/lib/mirrors/table-mapping";
import { resyncMirror } from "./actions";
import { notFound } from "./views";

export const resyncRequestSchema = z.object({
  /** Source tables ("schema.table") to copy again on their own; left out: the whole mirror. */
  tables: z.array(z.string().min(1)).min(1, { error: "Name at least one table, or send no body to resync the whole mirror." }).max(MAX_TABLES_PER_MIRROR).optional(),
});

/** POST /api/v1/mirrors/{name}/resync: the whole mirror (no tables), or the tables named. */
export async function resync(catalog: PrismaClient, name: string, body: unknown): Promise<void> {
  const { tables } = resyncRequestSchema.parse(body);
  if (tables) await resyncTables(catalog, name, tables);
  else await resyncMirror(catalog, name);
}

/**
 * Queues tables of a running (or paused) CDC mirror to be copied again on their own: the owner copies
 * each into a shadow table from a new snapshot while every other table keeps streaming, swaps the rows
 * in, and catches it up (workers/mirrors/table-sync/round.ts). In a completed initial-copy-only mirror
 * a copy-tables job copies them the same way (workers/jobs/copy-tables.ts). A table already queued stays queued; a
 * table whose earlier add or resync failed is tried again.
 */
export async function resyncTables(catalog: PrismaClient, name: string, requested: string[]): Promise<void> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, include: { tables: { where: { status: { not: "removed" } } } } });
  if (!mirror) throw notFound(name);
  const cdc = mirror.mode === "cdc";
  if (cdc && mirror.status !== "running" && mirror.status !== "paused") {
    throw conflict(`Mirror ${name} is ${mirror.status.replace("_", " ")}; single tables can be resynced while it replicates or is paused.`);
  }
  if (!cdc && mirror.status !== "completed") {
    throw conflict(`Mirror ${name} is ${mirror.status.replace("_", " ")}; single tables can be copied again once its copy completed.`);
  }
  const chosen = requested.map((text, index) => {
    const wanted = parseQualifiedName(text);
    const table = mirror.tables.find((t) => t.sourceSchema === wanted.schema && t.sourceTable === wanted.name);
    if (!table) throw new UserFacingError(`Mirror ${name} has no table ${text}.`, "table_not_found", { [`tables.${index}`]: `Not a table of this mirror.` }, 404);
    return table;
  });
  const busy = chosen.find((t) => t.syncKind !== null && t.syncPhase !== "queued" && t.status !== "failed");
  if (busy) throw conflict(`${formatQualifiedName({ schema: busy.sourceSchema, name: busy.sourceTable })} is being copied already; try again once that finished.`);
  await catalog.$transaction(async (tx) => {
    for (const t of chosen) {
      await tx.mirrorTable.update({
        where: { id: t.id },
        // A failed add is still an add: its target table may not have its pre-data yet.
        data: { syncKind: t.syncKind === "add" ? "add" : "resync", syncPhase: "queued", status: t.status === "failed" ? "pending" : t.status },
      });
    }
    // A completed copy-only mirror has no runner: a job copies its tables.
    if (!cdc) await queueTableCopies(tx, mirror.id);
  });
  await signalMirrorsChanged(catalog);
  const names = chosen.map((t) => formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable })).join(", ");
  await recordMirrorEvent(catalog, mirror.id, "warn", `Resync requested for ${names}: copied again from a new snapshot into a shadow table while the other tables keep replicating.`);
}

function conflict(message: string): UserFacingError {
  return new UserFacingError(message, "invalid_transition", undefined, 409);
}
