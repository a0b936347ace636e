import { Counter, Gauge, Registry } from "prom-client";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { OFFLINE_AFTER_MS } from "@/lib/catalog/workers";
import { MIRROR_STATUSES } from "@/lib/mirrors/status";
import { catalogConnectionMetrics } from "./catalog-connections";
import { histogramText } from "./histogram-text";

/** Upper bounds (seconds) of the batch apply time histogram. */
const APPLY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Prometheus metrics computed from catalog rows at scrape time. The web process serves them, and
 * any number of web processes may: nothing is kept in memory between scrapes (a fresh registry
 * each time), so every scrape says what the catalog says now. Counters come from the catalog's
 * own totals (per-table change counters, cdc_batches), so they survive worker restarts. Only the
 * catalog pool figures are this process's own (catalog-connections.ts).
 */
export async function collectMetrics(catalog: PrismaClient): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const [mirrors, tables, copied, batches, workersOnline] = await Promise.all([
    catalog.$queryRaw<MirrorRow[]>`
      SELECT name, status, mode, lag_bytes, lag_seconds, retained_bytes,
             (slot_status->>'active')::boolean AS slot_active, (slot_status->>'missing')::boolean AS slot_missing,
             stats_updated_at
      FROM mirrors ORDER BY name`,
    catalog.$queryRaw<TableRow[]>`
      SELECT m.name AS mirror, t.id::text AS id, t.source_schema || '.' || t.source_table AS "table",
             t.inserts, t.updates, t.deletes, t.rows_estimated
      FROM mirror_tables t JOIN mirrors m ON m.id = t.mirror_id`,
    catalog.$queryRaw<{ table_id: string; rows: bigint }[]>`
      SELECT p.mirror_table_id::text AS table_id, sum(p.rows_copied)::bigint AS rows
      FROM partitions p JOIN mirrors m ON m.id = p.mirror_id AND p.generation = m.load_generation
      GROUP BY p.mirror_table_id`,
    catalog.$queryRaw<{ mirror: string; batches: bigint; seconds: number; buckets: bigint[] }[]>`
      SELECT m.name AS mirror, count(*)::bigint AS batches, sum(b.duration_ms)::float8 / 1000 AS seconds,
             array(SELECT count(*) FILTER (WHERE b2.duration_ms <= bound * 1000) FROM cdc_batches b2, unnest(${APPLY_BUCKETS}::float8[]) AS bound
                   WHERE b2.mirror_id = m.id GROUP BY bound ORDER BY bound) AS buckets
      FROM cdc_batches b JOIN mirrors m ON m.id = b.mirror_id GROUP BY m.id, m.name`,
    catalog.worker.count({ where: { stoppedAt: null, lastSeenAt: { gt: new Date(Date.now() - OFFLINE_AFTER_MS) } } }),
  ]);
  // Verification is younger than the rest of the catalog: a scrape must not fail because of it.
  const verified = await catalog.$queryRaw<{ mirror: string; table: string; differences: bigint }[]>`
    SELECT m.name AS mirror, vt.source_schema || '.' || vt.source_table AS "table", vt.differences
    FROM (SELECT DISTINCT ON (mirror_id) id, mirror_id FROM verifications
          WHERE finished_at IS NOT NULL ORDER BY mirror_id, started_at DESC) v
    JOIN verification_tables vt ON vt.verification_id = v.id JOIN mirrors m ON m.id = v.mirror_id`.catch(() => []);

  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers: [registry] });

  gauge("pgferry_workers_online", "Workers whose heartbeat was seen in the last 15 s.").set(workersOnline);
  await catalogConnectionMetrics(catalog, gauge);
  const status = gauge("pgferry_mirror_status", "1 for the mirror's current status, 0 for the others.", ["mirror", "status"]);
  const lagBytes = gauge("pgferry_mirror_lag_bytes", "Source WAL not yet applied on the target, in bytes.", ["mirror"]);
  const lagSeconds = gauge("pgferry_mirror_lag_seconds", "Estimated replication lag, in seconds.", ["mirror"]);
  const retained = gauge("pgferry_mirror_retained_wal_bytes", "WAL the source keeps for the mirror's slot, in bytes.", ["mirror"]);
  const slotActive = gauge("pgferry_mirror_slot_active", "1 while a walsender streams from the mirror's slot, 0 otherwise.", ["mirror"]);
  const slotMissing = gauge("pgferry_mirror_slot_missing", "1 when the mirror's slot no longer exists on the source.", ["mirror"]);
  const sampledAt = gauge("pgferry_mirror_stats_updated_timestamp_seconds", "When lag and slot state were last measured (Unix time).", ["mirror"]);
  for (const m of mirrors) {
    for (const s of MIRROR_STATUSES) status.set({ mirror: m.name, status: s }, m.status === s ? 1 : 0);
    if (m.mode !== "cdc") continue;
    if (m.lag_bytes !== null) lagBytes.set({ mirror: m.name }, Number(m.lag_bytes));
    if (m.lag_seconds !== null) lagSeconds.set({ mirror: m.name }, m.lag_seconds);
    if (m.retained_bytes !== null) retained.set({ mirror: m.name }, Number(m.retained_bytes));
    if (m.slot_active !== null) slotActive.set({ mirror: m.name }, m.slot_active ? 1 : 0);
    slotMissing.set({ mirror: m.name }, m.slot_missing ? 1 : 0);
    if (m.stats_updated_at) sampledAt.set({ mirror: m.name }, m.stats_updated_at.getTime() / 1000);
  }

  const applied = counter("pgferry_rows_applied_total", "Changes applied to the target by CDC, per table and operation.", ["mirror", "table", "op"]);
  const estimated = gauge("pgferry_initial_load_rows_estimated", "Rows the initial load expects to copy, per table.", ["mirror", "table"]);
  const copiedRows = gauge("pgferry_initial_load_rows_copied", "Rows the current initial load has copied, per table.", ["mirror", "table"]);
  const copiedByTable = new Map(copied.map((c) => [c.table_id, Number(c.rows)]));
  for (const t of tables) {
    const labels = { mirror: t.mirror, table: t.table };
    applied.inc({ ...labels, op: "insert" }, Number(t.inserts));
    applied.inc({ ...labels, op: "update" }, Number(t.updates));
    applied.inc({ ...labels, op: "delete" }, Number(t.deletes));
    estimated.set(labels, Number(t.rows_estimated));
    copiedRows.set(labels, copiedByTable.get(t.id) ?? 0);
  }

  const batchCount = counter("pgferry_cdc_batches_total", "Target transactions CDC has committed.", ["mirror"]);
  const applySeconds = counter("pgferry_cdc_apply_seconds_total", "Time spent applying CDC batches on the target, in seconds.", ["mirror"]);
  for (const b of batches) {
    batchCount.inc({ mirror: b.mirror }, Number(b.batches));
    applySeconds.inc({ mirror: b.mirror }, b.seconds ?? 0);
  }

  const differences = gauge("pgferry_verification_differences", "Rows that differ between source and target in the mirror's last finished verification.", ["mirror", "table"]);
  for (const v of verified) differences.set({ mirror: v.mirror, table: v.table }, Number(v.differences));

  const applyHistogram = histogramText(
    "pgferry_cdc_batch_apply_seconds",
    "Time to apply one CDC batch on the target, in seconds.",
    APPLY_BUCKETS,
    batches.map((b) => ({ labels: { mirror: b.mirror }, buckets: b.buckets.map(Number), count: Number(b.batches), sum: b.seconds ?? 0 })),
  );
  return { contentType: registry.contentType, body: (await registry.metrics()) + applyHistogram };
}

interface MirrorRow {
  name: string;
  status: string;
  mode: string;
  lag_bytes: bigint | null;
  lag_seconds: number | null;
  retained_bytes: bigint | null;
  slot_active: boolean | null;
  slot_missing: boolean | null;
  stats_updated_at: Date | null;
}

interface TableRow {
  mirror: string;
  id: string;
  table: string;
  inserts: bigint;
  updates: bigint;
  deletes: bigint;
  rows_estimated: bigint;
}
