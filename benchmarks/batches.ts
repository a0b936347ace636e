import type { PrismaClient } from "@/lib/catalog/generated/client";

/** pgferry's CDC batches (one target transaction each) applied in a time window, from the catalog. */
export interface BatchSummary {
  batches: number;
  rows: number;
  /** Time the worker spent in batches, and the longest one (durationMs as the worker recorded it). */
  totalSeconds: number;
  maxSeconds: number;
  avgRowsPerBatch: number;
}

export async function summarizeBatches(catalog: PrismaClient, mirror: string, fromMs: number, toMs: number): Promise<BatchSummary> {
  const { id } = await catalog.mirror.findUniqueOrThrow({ where: { name: mirror }, select: { id: true } });
  const batches = await catalog.cdcBatch.findMany({
    where: { mirrorId: id, appliedAt: { gte: new Date(fromMs), lte: new Date(toMs + 1000) } },
    select: { rows: true, durationMs: true },
  });
  const rows = batches.reduce((sum, b) => sum + b.rows, 0);
  return {
    batches: batches.length,
    rows,
    totalSeconds: batches.reduce((sum, b) => sum + b.durationMs, 0) / 1000,
    maxSeconds: Math.max(0, ...batches.map((b) => b.durationMs)) / 1000,
    avgRowsPerBatch: batches.length ? rows / batches.length : 0,
  };
}
