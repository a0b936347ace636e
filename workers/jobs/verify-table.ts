import { loadPeerConnection } from "@/lib/catalog/peers";
import { VERIFY_TABLE_JOB, verifyTablePayload } from "@/lib/catalog/verification-queue";
import { claimVerificationTable } from "@/lib/catalog/verification-table-claim";
import { finishVerificationTable } from "@/lib/catalog/verification-table-finish";
import { writeVerificationProgress } from "@/lib/catalog/verification-table-progress";
import { classifyError } from "@/lib/errors/classify";
import { describeVerifyTable, verifyTable, type VerifyProgress } from "@/workers/verify";
import { defineJob } from "./define-job";

/** Progress is written (and cancellation noticed) this often. Default: 1 s. */
const PROGRESS_INTERVAL_MS = 1_000;

/** Thrown into the engine when the user cancels the run. */
class Cancelled extends Error {}

/**
 * Compares one table of a verification run (workers/verify) and records the result; the last table
 * to finish settles the run. Any worker may run it. A cancelled run, or a table another job already
 * took, ends the job without work. When the worker stops, the table goes back to pending and the
 * job fails so that graphile-worker runs it again later.
 */
export const verifyTableJob = defineJob({
  name: VERIFY_TABLE_JOB,
  payload: verifyTablePayload,
  async handler({ verificationTableId: id }, { catalog, logger, signal, workerId }) {
    const row = await claimVerificationTable(catalog, id, workerId);
    if (!row) return;
    const mirror = row.verification.mirror;
    const stop = new AbortController();
    const onShutdown = () => stop.abort(signal.reason);
    signal.addEventListener("abort", onShutdown, { once: true });
    let latest: VerifyProgress = { chunksDone: 0, chunksTotal: 0, sourceRows: 0, targetRows: 0, differences: 0 };
    // A timer rather than writes per chunk: it also notices a cancel while the engine waits for CDC.
    const timer = setInterval(() => {
      void writeVerificationProgress(catalog, id, latest)
        .then((running) => {
          if (!running) stop.abort(new Cancelled("verification cancelled"));
        })
        .catch(() => {});
    }, PROGRESS_INTERVAL_MS);
    try {
      const [source, target] = await Promise.all([loadPeerConnection(catalog, mirror.sourcePeerId), loadPeerConnection(catalog, mirror.targetPeerId)]);
      const table = await describeVerifyTable(source, {
        source: { schema: row.sourceSchema, name: row.sourceTable },
        target: { schema: row.targetSchema, name: row.targetTable },
        excludeColumns: row.excludeColumns,
      });
      const result = await verifyTable({
        source,
        target,
        table,
        liveMirror: mirror.mode === "cdc" && mirror.status === "running" ? mirror.name : null,
        signal: stop.signal,
        onProgress: (progress) => (latest = progress),
      });
      const { examples, ...counts } = result;
      await finishVerificationTable(catalog, id, { status: counts.differences > 0 ? "different" : "equal", counts, examples: examples as never });
      logger.info("table verified", { verification: row.verificationId, table: `${row.sourceSchema}.${row.sourceTable}`, differences: counts.differences });
    } catch (error) {
      if (stop.signal.reason instanceof Cancelled) return;
      if (signal.aborted) {
        await catalog.verificationTable.updateMany({ where: { id, status: "running" }, data: { status: "pending", workerId: null } });
        throw error;
      }
      const classified = classifyError(error);
      const message = classified.fix ? `${classified.message} Fix: ${classified.fix}` : classified.message;
      logger.warn("table verification failed", { verification: row.verificationId, table: `${row.sourceSchema}.${row.sourceTable}`, error: message });
      await finishVerificationTable(catalog, id, { status: "error", error: message, counts: latest });
    } finally {
      clearInterval(timer);
      signal.removeEventListener("abort", onShutdown);
    }
  },
});
