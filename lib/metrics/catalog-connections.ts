import type { Gauge } from "prom-client";
import { catalogPoolStats } from "@/lib/catalog/db";
import type { PrismaClient } from "@/lib/catalog/generated/client";

type GaugeOf = (name: string, help: string, labelNames?: string[]) => Gauge;

/**
 * The catalog's connections: the scraped process's own pool (busy, idle, waiting — a web app that
 * queues for catalog connections answers slowly), and every pgferry session on the catalog seen
 * from the server (pg_stat_activity, by application_name: web, workers, job queue, launcher), so one
 * scrape shows whether pgferry as a whole approaches the catalog's max_connections.
 */
export async function catalogConnectionMetrics(catalog: PrismaClient, gauge: GaugeOf): Promise<void> {
  const sessions = await catalog.$queryRaw<{ application: string; state: string; n: number }[]>`
    SELECT application_name AS application, coalesce(state, 'unknown') AS state, count(*)::int AS n
    FROM pg_stat_activity
    WHERE datname = current_database() AND application_name LIKE 'pgferry%'
    GROUP BY 1, 2 ORDER BY 1, 2`;
  const connections = gauge("pgferry_catalog_connections", "pgferry's sessions on the catalog database, by application_name and state (pg_stat_activity).", ["application", "state"]);
  for (const s of sessions) connections.set({ application: s.application, state: s.state }, s.n);

  const pool = catalogPoolStats(catalog);
  if (!pool) return;
  gauge("pgferry_catalog_pool_connections", "Connections the scraped process's catalog pool holds open.").set(pool.total);
  gauge("pgferry_catalog_pool_idle_connections", "Open catalog pool connections not in use.").set(pool.idle);
  gauge("pgferry_catalog_pool_waiting_requests", "Catalog queries waiting for a pool connection.").set(pool.waiting);
  gauge("pgferry_catalog_pool_max_connections", "Most connections the scraped process's catalog pool opens.").set(pool.max);
}
