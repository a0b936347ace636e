import type { Mirror } from "@/lib/catalog/generated/client";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { connectPeer } from "@/lib/pg/connect";
import { dropPublication, dropSlot } from "@/lib/pg/replication";
import { deleteProgress } from "@/workers/cdc/progress";
import { BOOKKEEPING_SCHEMA, clearMirrorBookkeeping } from "@/lib/mirrors/target-bookkeeping";
import type { RunnerContext } from "./context";
import { dropSyncObjects } from "./table-sync/sync-objects";

/**
 * Deletes a mirror: drops what pgferry created on the source (slot, publication) so nothing keeps
 * the source retaining WAL, removes the mirror's bookkeeping rows on the target (and the
 * `_pgferry` schema once no mirror uses it), then removes the mirror from the catalog. Target data
 * tables are kept. Idempotent: safe to run again after a failure part-way.
 * Throws when a peer cannot be reached; the caller retries.
 */
export async function deleteMirror(ctx: RunnerContext, mirror: Mirror): Promise<void> {
  const [sourcePeer, targetPeer] = await Promise.all([
    loadPeerConnection(ctx.catalog, mirror.sourcePeerId),
    loadPeerConnection(ctx.catalog, mirror.targetPeerId),
  ]);
  const source = await connectPeer(sourcePeer, `cleanup:${mirror.name}`);
  try {
    // Whatever the mode: an initial-copy-only mirror has none, and dropping nothing is a no-op.
    await dropSlot(source, mirror.slotName);
    await dropPublication(source, mirror.publicationName);
  } finally {
    await source.end().catch(() => {});
  }
  // A table sync round's slot would keep WAL on the source too.
  await dropSyncObjects(ctx.catalog, mirror);
  const target = await connectPeer(targetPeer, `cleanup:${mirror.name}`);
  try {
    await clearMirrorBookkeeping(target, mirror.name);
    await deleteProgress(target, mirror.name);
    await dropBookkeepingSchemaIfUnused(target);
  } finally {
    await target.end().catch(() => {});
  }
  await ctx.catalog.mirror.delete({ where: { id: mirror.id } });
}

/** Drops `_pgferry` when none of its tables has a row left, under the same lock its creators take. */
async function dropBookkeepingSchemaIfUnused(target: Awaited<ReturnType<typeof connectPeer>>): Promise<void> {
  await target.query("BEGIN");
  try {
    await target.query("SELECT pg_advisory_xact_lock(hashtext('pgferry'), hashtext('bookkeeping'))");
    const { rows: tables } = await target.query<{ name: string }>(
      "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = $1",
      [BOOKKEEPING_SCHEMA],
    );
    for (const { name } of tables) {
      const { rowCount } = await target.query(`SELECT 1 FROM ${name} LIMIT 1`);
      if (rowCount) {
        await target.query("ROLLBACK");
        return;
      }
    }
    await target.query(`DROP SCHEMA IF EXISTS "${BOOKKEEPING_SCHEMA}" CASCADE`);
    await target.query("COMMIT");
  } catch (error) {
    await target.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
