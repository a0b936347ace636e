import type { Prisma, PrismaClient } from "@/lib/catalog/generated/client";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { isWorkerOnline } from "@/lib/catalog/workers";
import { type CutoverView, latestCutoverView } from "@/lib/catalog/cutover-view";
import { type MirrorSettings, storedSettings } from "@/lib/mirrors/settings";
import { type MirrorStatus, STATUS_LABELS } from "@/lib/mirrors/status";
import { type TableSync, tableSyncOf } from "@/lib/mirrors/table-sync";
import { formatQualifiedName } from "@/lib/mirrors/table-mapping";
import { averagePartitionMs } from "@/lib/catalog/partition-timing";

/** What the API and the pages show of a mirror. Numbers are plain numbers (row counts fit in 2^53). */
export interface MirrorSummary {
  name: string;
  status: MirrorStatus;
  statusLabel: string;
  mode: "cdc" | "initial_load_only";
  source: string;
  target: string;
  tableCount: number;
  rowsCopied: number;
  rowsEstimated: number;
  /** Rows synced: copied by the initial load plus CDC changes applied. */
  rowsSynced: number;
  lagBytes: number | null;
  lagSeconds: number | null;
  errorMessage: string | null;
  /** What the mirror does beyond copying rows, in words (e.g. "building indexes: 7/12, orders_customer_idx 64 %"); null when nothing. */
  phaseDetail: string | null;
  createdAt: string;
}

export interface MirrorTableView {
  source: string;
  target: string;
  excludeColumns: string[];
  /** A partitioned source table copied into one ordinary table. */
  flatten: boolean;
  /** pending | copying | done | failed | removed (lib/mirrors/status.ts). */
  status: string;
  rowsCopied: number;
  rowsEstimated: number;
  bytesCopied: number;
  partitionsDone: number;
  partitionsTotal: number;
  rowsPerSecond: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  inserts: number;
  updates: number;
  deletes: number;
  /** Set while the table is added or resynced on its own beside the mirror's stream (lib/mirrors/table-sync.ts). */
  sync: TableSync | null;
}

export interface MirrorDetail extends MirrorSummary {
  settings: MirrorSettings;
  publicationName: string;
  slotName: string;
  loadStartedAt: string | null;
  loadFinishedAt: string | null;
  progress: {
    rowsCopied: number;
    rowsEstimated: number;
    partitionsDone: number;
    partitionsTotal: number;
    /** 0-100, by partitions when the row estimate is unknown. */
    percent: number;
    rowsPerSecond: number | null;
    etaSeconds: number | null;
    /** Average copy time of the done partitions (lib/catalog/partition-timing.ts); null before the first. */
    averagePartitionMs: number | null;
  };
  tables: MirrorTableView[];
  cdc: {
    lagBytes: number | null;
    lagSeconds: number | null;
    lastAppliedLsn: string | null;
    lastCommitAt: string | null;
    inserts: number;
    updates: number;
    deletes: number;
    /** WAL the source keeps for this mirror's slot, bytes. */
    retainedBytes: number | null;
    slot: unknown;
    statsUpdatedAt: string | null;
  } | null;
  owner: { workerId: string; online: boolean } | null;
  /** The latest cutover (lib/catalog/cutover-view.ts); null when the mirror never had one. */
  cutover: CutoverView | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const num = (v: bigint | number | null | undefined) => (v === null || v === undefined ? null : Number(v));

type MirrorWithRelations = Prisma.MirrorGetPayload<{ include: { source: true; target: true; tables: true } }>;

function toSummary(m: MirrorWithRelations, rowsCopied: number): MirrorSummary {
  const cdcRows = m.tables.reduce((sum, t) => sum + Number(t.inserts + t.updates + t.deletes), 0);
  return {
    name: m.name,
    status: m.status as MirrorStatus,
    statusLabel: STATUS_LABELS[m.status as MirrorStatus] ?? m.status,
    mode: m.mode as MirrorSummary["mode"],
    source: m.source.name,
    target: m.target.name,
    tableCount: m.tables.length,
    rowsCopied,
    rowsEstimated: m.tables.reduce((sum, t) => sum + Number(t.rowsEstimated), 0),
    rowsSynced: rowsCopied + cdcRows,
    lagBytes: m.mode === "cdc" ? num(m.lagBytes) : null,
    lagSeconds: m.mode === "cdc" ? m.lagSeconds : null,
    errorMessage: m.errorMessage,
    phaseDetail: m.phaseDetail ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}

export async function listMirrors(catalog: PrismaClient): Promise<MirrorSummary[]> {
  const mirrors = await catalog.mirror.findMany({ orderBy: { createdAt: "desc" }, include: { source: true, target: true, tables: true } });
  const copied = await partitionTotals(catalog, mirrors.map((m) => ({ id: m.id, generation: m.loadGeneration })));
  return mirrors.map((m) => toSummary(m, copied.get(m.id)?.rows ?? 0));
}

export async function getMirror(catalog: PrismaClient, name: string): Promise<MirrorDetail> {
  const m = await catalog.mirror.findUnique({ where: { name }, include: { source: true, target: true, tables: { orderBy: { position: "asc" } } } });
  if (!m) throw notFound(name);
  const perTable = await catalog.partition.groupBy({
    by: ["mirrorTableId", "status"],
    where: { mirrorId: m.id, generation: m.loadGeneration },
    _sum: { rowsCopied: true, bytesCopied: true },
    _count: { _all: true },
  });
  const now = Date.now();
  const tables: MirrorTableView[] = m.tables.map((t) => {
    const rows = perTable.filter((p) => p.mirrorTableId === t.id);
    // A table copied on its own (added, resynced) has no partitions of the mirror's load for that copy.
    const rowsCopied = t.rowsCopiedAlone === null ? rows.reduce((s, p) => s + Number(p._sum.rowsCopied ?? 0), 0) : Number(t.rowsCopiedAlone);
    const started = t.loadStartedAt?.getTime() ?? null;
    const ended = t.loadFinishedAt?.getTime() ?? now;
    const seconds = started ? Math.max(0.001, (ended - started) / 1000) : null;
    return {
      source: formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable }),
      target: formatQualifiedName({ schema: t.targetSchema, name: t.targetTable }),
      excludeColumns: t.excludeColumns,
      flatten: t.flatten,
      status: t.status,
      rowsCopied,
      rowsEstimated: Number(t.rowsEstimated),
      bytesCopied: rows.reduce((s, p) => s + Number(p._sum.bytesCopied ?? 0), 0),
      partitionsDone: rows.filter((p) => p.status === "done").reduce((s, p) => s + p._count._all, 0),
      partitionsTotal: rows.reduce((s, p) => s + p._count._all, 0),
      rowsPerSecond: seconds ? rowsCopied / seconds : null,
      startedAt: iso(t.loadStartedAt),
      finishedAt: iso(t.loadFinishedAt),
      durationMs: started ? ended - started : null,
      inserts: Number(t.inserts),
      updates: Number(t.updates),
      deletes: Number(t.deletes),
      sync: tableSyncOf(t),
    };
  });
  const rowsCopied = tables.reduce((s, t) => s + t.rowsCopied, 0);
  const summary = toSummary(m, rowsCopied);
  const rowsEstimated = tables.reduce((s, t) => s + t.rowsEstimated, 0);
  const partitionsDone = tables.reduce((s, t) => s + t.partitionsDone, 0);
  const partitionsTotal = tables.reduce((s, t) => s + t.partitionsTotal, 0);
  const loadSeconds = m.loadStartedAt ? ((m.loadFinishedAt?.getTime() ?? now) - m.loadStartedAt.getTime()) / 1000 : null;
  const rate = loadSeconds && loadSeconds > 0 ? rowsCopied / loadSeconds : null;
  const loadDone = m.loadFinishedAt !== null;
  const percent = loadDone
    ? 100
    : rowsEstimated > 0
      ? Math.min(99, (rowsCopied / rowsEstimated) * 100)
      : partitionsTotal > 0
        ? (partitionsDone / partitionsTotal) * 100
        : 0;
  const ownerOnline = m.ownerWorkerId ? await isWorkerOnline(catalog, m.ownerWorkerId) : false;
  return {
    ...summary,
    settings: storedSettings(m.settings),
    publicationName: m.publicationName,
    slotName: m.slotName,
    loadStartedAt: iso(m.loadStartedAt),
    loadFinishedAt: iso(m.loadFinishedAt),
    progress: {
      rowsCopied,
      rowsEstimated,
      partitionsDone,
      partitionsTotal,
      percent,
      rowsPerSecond: rate,
      etaSeconds: !loadDone && rate && rate > 0 && rowsEstimated > rowsCopied ? (rowsEstimated - rowsCopied) / rate : null,
      averagePartitionMs: partitionsDone > 0 ? await averagePartitionMs(catalog, m.id, m.loadGeneration) : null,
    },
    tables,
    cdc:
      m.mode === "cdc"
        ? {
            lagBytes: num(m.lagBytes),
            lagSeconds: m.lagSeconds,
            lastAppliedLsn: m.lastAppliedLsn,
            lastCommitAt: iso(m.lastCommitAt),
            inserts: tables.reduce((s, t) => s + t.inserts, 0),
            updates: tables.reduce((s, t) => s + t.updates, 0),
            deletes: tables.reduce((s, t) => s + t.deletes, 0),
            retainedBytes: num(m.retainedBytes),
            slot: m.slotStatus ?? null,
            statsUpdatedAt: iso(m.statsUpdatedAt),
          }
        : null,
    owner: m.ownerWorkerId ? { workerId: m.ownerWorkerId, online: ownerOnline } : null,
    cutover: await latestCutoverView(catalog, m.id),
  };
}

/** Rows and bytes copied so far per mirror, in each mirror's current load generation. */
async function partitionTotals(catalog: PrismaClient, mirrors: { id: string; generation: number }[]): Promise<Map<string, { rows: number }>> {
  if (mirrors.length === 0) return new Map();
  const sums = await catalog.partition.groupBy({
    by: ["mirrorId", "generation"],
    where: { mirrorId: { in: mirrors.map((m) => m.id) } },
    _sum: { rowsCopied: true },
  });
  const current = new Map(mirrors.map((m) => [m.id, m.generation]));
  return new Map(sums.filter((s) => current.get(s.mirrorId) === s.generation).map((s) => [s.mirrorId, { rows: Number(s._sum.rowsCopied ?? 0) }]));
}

export interface MirrorEventView {
  id: string;
  level: string;
  message: string;
  detail: unknown;
  createdAt: string;
}

export async function mirrorEvents(catalog: PrismaClient, name: string, limit = 200): Promise<MirrorEventView[]> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true } });
  if (!mirror) throw notFound(name);
  const events = await catalog.mirrorEvent.findMany({ where: { mirrorId: mirror.id }, orderBy: { id: "desc" }, take: Math.min(Math.max(1, limit), 1000) });
  return events.map((e) => ({ id: e.id.toString(), level: e.level, message: e.message, detail: e.detail, createdAt: e.createdAt.toISOString() }));
}

export interface MirrorBatchesView {
  recent: { id: string; rows: number; inserts: number; updates: number; deletes: number; firstLsn: string; lastLsn: string; durationMs: number; appliedAt: string }[];
  /** Rows applied per minute over the last hour, oldest first (minutes without batches are 0). */
  perMinute: { minute: string; rows: number }[];
}

export async function mirrorBatches(catalog: PrismaClient, name: string): Promise<MirrorBatchesView> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true } });
  if (!mirror) throw notFound(name);
  const recent = await catalog.cdcBatch.findMany({ where: { mirrorId: mirror.id }, orderBy: { id: "desc" }, take: 50 });
  const buckets = await catalog.$queryRaw<{ minute: Date; rows: bigint }[]>`
    SELECT date_trunc('minute', applied_at) AS minute, sum(rows)::bigint AS rows
    FROM cdc_batches WHERE mirror_id = ${mirror.id}::uuid AND applied_at > now() - interval '1 hour'
    GROUP BY 1 ORDER BY 1`;
  const byMinute = new Map(buckets.map((b) => [b.minute.getTime(), Number(b.rows)]));
  const thisMinute = Math.floor(Date.now() / 60_000) * 60_000;
  const perMinute = Array.from({ length: 60 }, (_, i) => {
    const minute = thisMinute - (59 - i) * 60_000;
    return { minute: new Date(minute).toISOString(), rows: byMinute.get(minute) ?? 0 };
  });
  return {
    recent: recent.map((b) => ({
      id: b.id.toString(),
      rows: b.rows,
      inserts: b.inserts,
      updates: b.updates,
      deletes: b.deletes,
      firstLsn: b.firstLsn,
      lastLsn: b.lastLsn,
      durationMs: b.durationMs,
      appliedAt: b.appliedAt.toISOString(),
    })),
    perMinute,
  };
}

export function notFound(name: string): UserFacingError {
  return new UserFacingError(`There is no mirror named ${name}.`, "mirror_not_found", undefined, 404);
}
