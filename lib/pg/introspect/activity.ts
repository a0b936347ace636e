import type { Queryable } from "@/lib/pg/introspect/queryable";

export interface PeerSession {
  pid: number;
  applicationName: string;
  /** Database the session is connected to; null for a physical walsender. */
  database: string | null;
  /** "client backend", or "walsender" for a replication stream. */
  backendType: string;
  /** "active", "idle", "idle in transaction", …; null when the viewer may not see it. */
  state: string | null;
  /** Milliseconds since the current (or last) query started, or since connecting when none ran. */
  durationMs: number;
  waitEventType: string | null;
  waitEvent: string | null;
  /** The current (or last) statement; "<insufficient privilege>" for other users' sessions unless the viewer has pg_read_all_stats. */
  query: string | null;
  backendStart: Date;
  queryStart: Date | null;
}

/**
 * pgferry's own sessions on the peer's server (every database), found by the application_name
 * prefix that clientConfig gives each of them: COUNT, partitioning, COPY/FETCH of an initial load
 * and the CDC walsender. The session running this query is left out. Read-only.
 */
export function activity(client: Queryable): Promise<PeerSession[]> {
  return sessions(client, "application_name like 'pgferry%' and pid <> pg_backend_pid()");
}

/** The session running this query, shaped like activity()'s (which leaves it out). Read-only. */
export async function ownSession(client: Queryable): Promise<PeerSession | null> {
  const [own] = await sessions(client, "pid = pg_backend_pid()");
  return own ?? null;
}

async function sessions(client: Queryable, where: string): Promise<PeerSession[]> {
  const { rows } = await client.query<{
    pid: number;
    application_name: string;
    datname: string | null;
    backend_type: string;
    state: string | null;
    duration_ms: number;
    wait_event_type: string | null;
    wait_event: string | null;
    query: string | null;
    backend_start: Date;
    query_start: Date | null;
  }>(`
    select pid, application_name, datname, backend_type, state,
           (extract(epoch from clock_timestamp() - coalesce(query_start, backend_start)) * 1000)::float8 as duration_ms,
           wait_event_type, wait_event, query, backend_start, query_start
    from pg_stat_activity
    where ${where}
    order by coalesce(query_start, backend_start), pid`);
  return rows.map((r) => ({
    pid: r.pid,
    applicationName: r.application_name,
    database: r.datname,
    backendType: r.backend_type,
    state: r.state,
    durationMs: Math.max(0, Math.round(r.duration_ms)),
    waitEventType: r.wait_event_type,
    waitEvent: r.wait_event,
    query: r.query,
    backendStart: r.backend_start,
    queryStart: r.query_start,
  }));
}
