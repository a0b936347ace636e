import type pg from "pg";
import { compareLsn, parseLsn } from "@/lib/pg/lsn";
import { readProgress } from "@/workers/cdc/progress";
import { queryRows } from "./session";
import { SOURCE_POSITION_SQL } from "./sql";
import { sleep } from "@/lib/sleep";

/** How often the target's applied position is read while waiting. Default: 250 ms. */
const POLL_MS = 250;

/** The source's position after everything the current snapshot sees (call inside the snapshot). */
export async function sourcePosition(source: pg.Client): Promise<string> {
  const [row] = await queryRows<{ lsn: string }>(source, { text: SOURCE_POSITION_SQL, values: [] });
  return row.lsn;
}

/**
 * Waits until the target has applied the mirror's changes up to `lsn` (the position CDC stores in
 * `_pgferry.cdc_progress` in the same transaction as the changes). Throws when `timeoutMs` passes
 * or `signal` fires. An idle source still gets there: CDC stores keepalive positions while idle.
 */
export async function waitForApplied(target: pg.Client, mirror: string, lsn: string, signal: AbortSignal, timeoutMs: number): Promise<void> {
  const wanted = parseLsn(lsn);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    const applied = await readProgress(target, mirror);
    if (applied !== null && compareLsn(applied, wanted) >= 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `The mirror did not apply the source's changes up to ${lsn} within ${Math.round(timeoutMs / 1000)} s, so differences could not be re-checked. ` +
          "Run the verification again when the mirror's lag is small.",
      );
    }
    await sleep(POLL_MS, signal);
  }
}
