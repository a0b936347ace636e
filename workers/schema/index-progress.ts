import type pg from "pg";

/** How often index builds are looked at. Default: 1 s. */
const POLL_INTERVAL_MS = 1_000;

/**
 * Reads pg_stat_progress_create_index every second for the backends in `building()` (pid → index
 * name) and reports each one's percent: scanning the table counts for the first 80 %, loading the
 * sorted tuples for the rest. Returns a function that stops watching. `client` must be otherwise idle.
 */
export function watchIndexBuilds(client: pg.Client, building: () => Map<number, string>, onUpdate: (name: string, percent: number | null) => void): () => void {
  let stopped = false;
  const tick = async () => {
    const pids = [...building().keys()];
    if (pids.length === 0) return;
    const { rows } = await client.query<{ pid: number; phase: string; blocks_total: string; blocks_done: string; tuples_total: string; tuples_done: string }>(
      `SELECT pid, phase, blocks_total::text, blocks_done::text, tuples_total::text, tuples_done::text
         FROM pg_catalog.pg_stat_progress_create_index WHERE pid = ANY($1::int[])`,
      [pids],
    );
    for (const row of rows) {
      const name = building().get(row.pid);
      if (name && !stopped) onUpdate(name, indexBuildPercent(row));
    }
  };
  const timer = setInterval(() => {
    tick().catch(() => {});
  }, POLL_INTERVAL_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** Percent done of one build from its progress row; null when the phase gives no measure. Pure. */
export function indexBuildPercent(row: { phase: string; blocks_total: string; blocks_done: string; tuples_total: string; tuples_done: string }): number | null {
  const fraction = (done: string, total: string) => (Number(total) > 0 ? Math.min(1, Number(done) / Number(total)) : null);
  if (row.phase.includes("scanning table")) {
    const f = fraction(row.blocks_done, row.blocks_total);
    return f === null ? null : Math.round(80 * f);
  }
  if (row.phase.includes("sorting")) return 80;
  if (row.phase.includes("loading tuples")) {
    const f = fraction(row.tuples_done, row.tuples_total);
    return f === null ? 80 : Math.round(80 + 20 * f);
  }
  return null;
}
