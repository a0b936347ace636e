import type { Mirror } from "@/lib/catalog/generated/client";
import { classifyError } from "@/lib/errors/classify";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import { connectPeer } from "@/lib/pg/connect";
import { quoteQualified } from "@/lib/pg/quote";
import { dropTablesFromPublication } from "@/lib/pg/replication";
import type { RunnerContext } from "./context";

/**
 * Finishes what removing tables from a CDC mirror asked for (lib/web/mirrors/edit.ts), before a CDC
 * session starts, so no session is applying to them meanwhile: the removed tables leave the publication,
 * and a target table marked `dropTarget` is dropped. Changes to a removed table that were committed
 * before the ALTER PUBLICATION still arrive; the session ignores them because the runner no longer maps
 * the table (workers/cdc/relation-plans.ts). Idempotent: a retry finds them out already.
 * Throws when the source cannot be reached (the runner retries); a target table that cannot be dropped
 * (a view depends on it, …) is reported and kept.
 */
export async function finishTableRemovals(ctx: RunnerContext, mirror: Mirror): Promise<void> {
  const removed = await ctx.catalog.mirrorTable.findMany({ where: { mirrorId: mirror.id, status: "removed" } });
  if (removed.length === 0) return;
  const source = await connectPeer(await loadPeerConnection(ctx.catalog, mirror.sourcePeerId), `cdc:${mirror.name}:remove`);
  try {
    const out = await dropTablesFromPublication(
      source,
      mirror.publicationName,
      removed.map((t) => ({ schema: t.sourceSchema, name: t.sourceTable })),
    );
    if (out.length > 0) {
      await recordMirrorEvent(ctx.catalog, mirror.id, "info", `Removed from publication ${mirror.publicationName}: ${out.map(formatQualifiedName).join(", ")}.`);
    }
  } finally {
    await source.end().catch(() => {});
  }
  const toDrop = removed.filter((t) => t.dropTarget);
  if (toDrop.length === 0) return;
  const target = await connectPeer(await loadPeerConnection(ctx.catalog, mirror.targetPeerId), `cdc:${mirror.name}:remove`);
  try {
    for (const table of toDrop) {
      const name = quoteQualified(table.targetSchema, table.targetTable);
      try {
        await target.query(`DROP TABLE IF EXISTS ${name}`);
        await recordMirrorEvent(ctx.catalog, mirror.id, "info", `Dropped target table ${name} of a removed table.`);
      } catch (error) {
        if (classifyError(error).kind === "retry") throw error;
        await recordMirrorEvent(ctx.catalog, mirror.id, "warn", `Target table ${name} of a removed table was kept: ${(error as Error).message}.`, {
          code: (error as { code?: string }).code,
        });
      }
      await ctx.catalog.mirrorTable.update({ where: { id: table.id }, data: { dropTarget: false } });
    }
  } finally {
    await target.end().catch(() => {});
  }
}
