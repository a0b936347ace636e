import pg from "pg";
import { sleep } from "@/lib/sleep";

/** One statement of pgferry's, as seen in pg_stat_activity of one server. */
export interface TracedStatement {
  server: string;
  application: string;
  /** Seconds after the trace started: when the statement started, and the last sample that saw it running. */
  start: number;
  lastSeenRunning: number | null;
  query: string;
}

/**
 * BENCH_TRACE=1: samples pg_stat_activity of the given servers every 50 ms and keeps every
 * statement of pgferry's own sessions (application_name "pgferry…", not the benchmark's), so a
 * slow phase can be read as a timeline of what pgferry was doing. Statements shorter than the
 * sampling interval may be missed; the rest show when they started and how long they ran.
 */
export async function startActivityTrace(servers: Record<string, string>): Promise<{ stop(): Promise<TracedStatement[]> }> {
  const clients = await Promise.all(
    Object.entries(servers).map(async ([name, url]) => {
      const client = new pg.Client({ connectionString: url, application_name: "bench-trace" });
      client.on("error", () => {});
      await client.connect();
      return [name, client] as const;
    }),
  );
  const started = Date.now();
  const seen = new Map<string, TracedStatement>();
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [name, client] of clients) {
        const { rows } = await client
          .query<{ pid: number; app: string; state: string; query: string; start: Date }>(
            `SELECT pid, application_name AS app, state, left(query, 160) AS query, query_start AS start
               FROM pg_stat_activity
              WHERE application_name LIKE 'pgferry%' AND application_name NOT LIKE 'pgferry:bench%' AND query_start IS NOT NULL`,
          )
          .catch(() => ({ rows: [] }));
        for (const row of rows) {
          const key = `${name}:${row.pid}:${row.start.getTime()}`;
          const entry = seen.get(key) ?? { server: name, application: row.app, start: (row.start.getTime() - started) / 1000, lastSeenRunning: null, query: row.query.replace(/\s+/g, " ") };
          if (row.state === "active") entry.lastSeenRunning = (Date.now() - started) / 1000;
          seen.set(key, entry);
        }
      }
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await Promise.all(clients.map(([, c]) => c.end().catch(() => {})));
      return [...seen.values()].filter((s) => s.start >= 0).sort((a, b) => a.start - b.start);
    },
  };
}

export function formatTrace(statements: TracedStatement[]): string {
  return statements
    .map((s) => `${s.start.toFixed(3).padStart(8)}  ${s.lastSeenRunning === null ? "      " : `${(s.lastSeenRunning - s.start).toFixed(2).padStart(5)}s`}  ${s.server.padEnd(7)} ${s.application.padEnd(40)} ${s.query}`)
    .join("\n");
}
