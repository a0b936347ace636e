import type pg from "pg";
import { type Lsn, formatLsn, parseLsn } from "@/lib/pg/lsn";
import { sleep } from "@/lib/sleep";
import { readProgress } from "@/workers/cdc/progress";

/** How often the target's stored position is read while draining. Default: 500 ms. */
const DRAIN_POLL_MS = 500;

export interface DrainOptions {
  signal: AbortSignal;
  /** Gives up after this long. Default: 10 minutes. */
  timeoutMs?: number;
  /** Called after each read with the position applied so far; a `false` answer stops waiting (abort requested). */
  onPosition?: (applied: Lsn | null) => Promise<boolean> | boolean;
}

/**
 * Waits until CDC stored on the target (`_pgferry.cdc_progress`, written with the changes) a position at
 * or past `lsn`: every transaction committed before it is then on the target. An idle mirror stores the
 * walsender's keepalive position every few seconds (workers/cdc/README.md), so this ends even when the
 * fence itself wrote nothing CDC applies. Returns "drained", "stopped" (onPosition said stop) or throws
 * on timeout.
 */
export async function waitApplied(target: pg.Client, mirror: string, lsn: string, options: DrainOptions): Promise<"drained" | "stopped"> {
  const wanted = parseLsn(lsn);
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    const applied = await readProgress(target, mirror);
    if (applied !== null && applied >= wanted) return "drained";
    if (options.onPosition && !(await options.onPosition(applied))) return "stopped";
    if (Date.now() > deadline) {
      throw new Error(`The target applied changes up to ${applied === null ? "nothing yet" : formatLsn(applied)} but not past the fence position ${lsn} within ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s; is replication running?`);
    }
    await sleep(DRAIN_POLL_MS, options.signal);
    if (options.signal.aborted) throw options.signal.reason ?? new Error("aborted");
  }
}
