import type { Mirror, MirrorTable, PrismaClient } from "@/lib/catalog/generated/client";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { storedSettings } from "@/lib/mirrors/settings";
import { BOOKKEEPING_SCHEMA } from "@/lib/mirrors/target-bookkeeping";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";
import { inTransaction } from "@/lib/pg/transaction";
import { finishLoad } from "@/workers/load/finish-load";
import { runLoadInProcess } from "@/workers/load/in-process-load";
import { tableMappings } from "@/workers/mirrors/load-setup";
import { syncObjects } from "./sync-objects";

export interface CopiedRound {
  /** CDC: where the round's slot streams from (every transaction committed before it is in the copies); copy-only: null. */
  consistentPoint: string | null;
  rows: number;
  /** Rows copied, per table of the round in its order. */
  rowsPerTable: number[];
}

/**
 * Copies a round's tables from one new snapshot. CDC: the round's slot and publication are created (the
 * slot's exported snapshot is what the copies read, and the slot then streams the tables' changes
 * from exactly that point); copy-only: a plain exported snapshot, and the added tables get their
 * post-data at once. An added table is copied into its target table, created with the
 * source's pre-data as at mirror creation; a resynced table into a shadow table in `_pgferry`, which
 * replaces the target table's rows in one transaction at the end, so its old rows stay readable
 * during the copy. Starts over from nothing when an earlier attempt was interrupted.
 */
export async function copyRound(catalog: PrismaClient, mirror: Mirror, tables: MirrorTable[], signal: AbortSignal): Promise<CopiedRound> {
  const settings = storedSettings(mirror.settings);
  const cdc = mirror.mode === "cdc";
  const [source, target] = await Promise.all([loadPeerConnection(catalog, mirror.sourcePeerId), loadPeerConnection(catalog, mirror.targetPeerId)]);
  const names = syncObjects(mirror);
  const mappings = tableMappings(tables);
  const staged = mappings.map((mapping, i) => (tables[i].syncKind === "resync" ? { ...mapping, target: shadowOf(tables[i]) } : mapping));
  await dropShadows(target, tables);
  const copySettings = {
    rowsPerPartition: settings.rowsPerPartition,
    parallelCopyWorkers: settings.parallelCopyWorkers,
    tablesInParallel: settings.tablesInParallel,
    indexBuildMemoryMb: settings.indexBuildMemoryMb,
    ...(cdc ? { publicationName: names.publicationName, slotName: names.slotName } : {}),
  };
  // Added tables get their pre-data; shadows only hold rows. A round is of one kind (round.ts, pickRound).
  const resync = tables[0].syncKind === "resync";
  const loaded = await runLoadInProcess({
    mirror: names.key,
    source,
    target,
    mapping: staged,
    mode: cdc ? "cdc" : "initial_load_only",
    settings: copySettings,
    preData: !resync,
    startOver: true,
    signal,
  });
  const { consistentPoint } = loaded;
  const rows = loaded.tables.reduce((sum, t) => sum + t.rows, 0);
  if (resync) {
    await swapShadows(target, tables);
  } else if (!cdc || settings.postData === "after_load") {
    // The added tables' indexes, constraints, triggers and views, as the mirror's own load built them.
    await finishLoad(target, [], names.key, {
      postData: { source, mapping: mappings, parallel: settings.parallelIndexBuilds, reproduceGrants: settings.reproduceGrants },
      signal,
      buildMemoryMb: settings.indexBuildMemoryMb,
    });
  }
  if (cdc && !consistentPoint) throw new Error("the round's slot returned no consistent point");
  return { consistentPoint, rows, rowsPerTable: loaded.tables.map((t) => t.rows) };
}

function shadowOf(table: MirrorTable): { schema: string; name: string } {
  return { schema: BOOKKEEPING_SCHEMA, name: `resync_${table.id.replace(/-/g, "")}` };
}

async function dropShadows(peer: PeerConnection, tables: MirrorTable[]): Promise<void> {
  const shadows = tables.filter((t) => t.syncKind === "resync").map(shadowOf);
  if (shadows.length === 0) return;
  const target = await connectPeer(peer, "sync:shadow");
  try {
    for (const shadow of shadows) await target.query(`DROP TABLE IF EXISTS ${quoteQualified(shadow.schema, shadow.name)}`);
  } finally {
    await target.end().catch(() => {});
  }
}

/**
 * Replaces each resynced target table's rows with its shadow's, one table per transaction: readers see
 * the old rows until the commit. The target table itself stays (its indexes, grants, views and foreign
 * keys with it). Emptied with TRUNCATE, or DELETE when another table's foreign key refers to it.
 */
async function swapShadows(peer: PeerConnection, tables: MirrorTable[]): Promise<void> {
  const target = await connectPeer(peer, "sync:swap");
  try {
    await target.query("SET statement_timeout = 0");
    for (const table of tables) {
      const shadow = shadowOf(table);
      const shadowName = quoteQualified(shadow.schema, shadow.name);
      const targetName = quoteQualified(table.targetSchema, table.targetTable);
      await inTransaction(target, "BEGIN", async () => {
        // As the CDC applier does: the target's triggers and foreign keys already saw these rows.
        await target.query("SAVEPOINT role");
        await target.query("SET LOCAL session_replication_role = replica").then(
          () => target.query("RELEASE SAVEPOINT role"),
          () => target.query("ROLLBACK TO SAVEPOINT role"),
        );
        const { rows: columns } = await target.query<{ name: string }>(
          `SELECT attname AS name FROM pg_catalog.pg_attribute
            WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
          [shadowName],
        );
        const { rows: referenced } = await target.query(
          "SELECT 1 FROM pg_catalog.pg_constraint WHERE contype = 'f' AND confrelid = $1::regclass AND conrelid <> confrelid LIMIT 1",
          [targetName],
        );
        await target.query(referenced.length > 0 ? `DELETE FROM ${targetName}` : `TRUNCATE ${targetName}`);
        const list = columns.map((c) => quoteIdent(c.name)).join(", ");
        await target.query(`INSERT INTO ${targetName} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM ${shadowName}`);
        await target.query(`DROP TABLE ${shadowName}`);
      });
      await target.query(`ANALYZE ${targetName}`);
    }
  } finally {
    await target.end().catch(() => {});
  }
}
