import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { COPY_TABLES_JOB, copyTablesPayload } from "@/lib/catalog/table-copy-queue";
import { classifyError } from "@/lib/errors/classify";
import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import { pickRound } from "@/lib/mirrors/table-sync";
import { copyRound } from "@/workers/mirrors/table-sync/copy-round";
import { dropSyncObjects } from "@/workers/mirrors/table-sync/sync-objects";
import { defineJob } from "./define-job";
import { CURRENT_TABLES } from "@/lib/catalog/current-tables";

/**
 * Tables added to or resynced in a completed initial-copy-only mirror: copied from a new snapshot,
 * round after round (added tables with their pre-data and post-data, resynced ones into shadows
 * swapped in at the end: workers/mirrors/table-sync/copy-round.ts). A round that fails for good marks
 * its tables failed (a resync of them tries again); a transient failure or a stopping worker fails the
 * job, which graphile-worker runs again — the round then starts over from a new snapshot.
 */
export const copyTablesJob = defineJob({
  name: COPY_TABLES_JOB,
  payload: copyTablesPayload,
  async handler({ mirrorId }, { catalog, logger, signal }) {
    for (;;) {
      const mirror = await catalog.mirror.findUnique({
        where: { id: mirrorId },
        include: CURRENT_TABLES,
      });
      if (!mirror || mirror.mode === "cdc" || mirror.status !== "completed") return;
      const round = pickRound(mirror.tables);
      if (round.length === 0) return;
      const ids = round.map((t) => t.id);
      const listed = round.map((t) => formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable })).join(", ");
      const verb = round[0].syncKind === "add" ? "Adding" : "Resyncing";
      await catalog.mirrorTable.updateMany({ where: { id: { in: ids } }, data: { syncPhase: "copying", status: "copying", loadStartedAt: new Date(), loadFinishedAt: null } });
      await recordMirrorEvent(catalog, mirror.id, "info", `${verb} ${listed}: copying from a new snapshot.`);
      try {
        const copied = await copyRound(catalog, mirror, round, signal);
        await catalog.$transaction(
          round.map((table, i) =>
            catalog.mirrorTable.update({
              where: { id: table.id },
              data: { syncKind: null, syncPhase: null, status: "done", loadFinishedAt: new Date(), rowsCopiedAlone: BigInt(copied.rowsPerTable[i]) },
            }),
          ),
        );
        await recordMirrorEvent(catalog, mirror.id, "info", `${verb} ${listed}: ${copied.rows.toLocaleString("en-US")} row(s) copied; done.`);
      } catch (error) {
        const classified = classifyError(error);
        if (signal.aborted || classified.kind === "retry") {
          logger.warn("table copy interrupted; the job runs again", { mirror: mirror.name, code: classified.code });
          throw error;
        }
        await catalog.mirrorTable.updateMany({ where: { id: { in: ids } }, data: { status: "failed" } });
        const message = classified.fix ? `${classified.message} Fix: ${classified.fix}` : classified.message;
        await recordMirrorEvent(catalog, mirror.id, "error", `${verb} ${listed} failed: ${message} Resync the table(s) to try again.`);
      } finally {
        await dropSyncObjects(catalog, mirror).catch(() => {});
      }
    }
  },
});
