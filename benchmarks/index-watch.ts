import type pg from "pg";
import { sleep } from "@/lib/sleep";
import { connect, type BenchServer } from "./pg";

/** When an index build (e.g. the primary key) ran in one target database, seen from outside. */
export interface IndexBuildWindow {
  /** ms since epoch of the first and last sample that saw a build in progress; null if none was seen. */
  firstSeenMs: number | null;
  lastSeenMs: number | null;
}

/**
 * Samples pg_stat_progress_create_index of one target database every 100 ms, so a method's time
 * can be split into "rows" and "index build" without instrumenting the method itself.
 */
export async function watchIndexBuilds(server: BenchServer, database: string): Promise<{ stop(): Promise<IndexBuildWindow> }> {
  const client: pg.Client = await connect(server, "postgres", "index-watch");
  const window: IndexBuildWindow = { firstSeenMs: null, lastSeenMs: null };
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query("SELECT 1 FROM pg_stat_progress_create_index WHERE datname = $1", [database]).catch(() => ({ rows: [] }));
      if (rows.length > 0) {
        const now = Date.now();
        window.firstSeenMs ??= now;
        window.lastSeenMs = now;
      }
      await sleep(100);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await client.end().catch(() => {});
      return window;
    },
  };
}
