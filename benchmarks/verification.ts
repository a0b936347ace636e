import type { PrismaClient } from "@/lib/catalog/generated/client";
import { getVerification, startVerification } from "@/lib/web/mirrors/verify";
import { sleep } from "@/lib/sleep";
import { seconds } from "./pg";
import { watchPeakRss } from "./process-memory";

/** A verification run of a loaded mirror, as the benchmark reports it. */
export interface VerificationResult {
  status: string;
  seconds: number;
  rows: number;
  rowsPerSecond: number;
  /** Peak resident memory of the worker process while it verified (MB). */
  workerPeakRssMb: number | null;
}

/**
 * Verifies every table of `mirror` (issue 11: exact, chunked comparison of source and target) and
 * measures how fast and with how much worker memory. Throws when the run does not finish in time.
 */
export async function verifyMirror(catalog: PrismaClient, mirror: string, workerPid: number | undefined, timeoutMs: number): Promise<VerificationResult> {
  const memory = watchPeakRss(workerPid);
  const started = Date.now();
  const { id } = await startVerification(catalog, mirror, {});
  for (;;) {
    const run = await getVerification(catalog, mirror, id);
    if (run.status !== "running") {
      const finished = Date.now();
      const rows = run.tables.reduce((sum, t) => sum + t.sourceRows, 0);
      const took = seconds(started, finished);
      return { status: run.status, seconds: took, rows, rowsPerSecond: rows / took, workerPeakRssMb: memory.stop() };
    }
    if (Date.now() - started > timeoutMs) {
      memory.stop();
      throw new Error(`verification ${id} of ${mirror} did not finish within ${timeoutMs / 1000} s`);
    }
    await sleep(250);
  }
}
