import { z } from "zod";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { notFound } from "./views";

/**
 * The time ranges of the CDC throughput chart and the bucket each is cut into: about 60 to 100
 * bars whatever the range, so a week stays as readable as an hour.
 */
export const THROUGHPUT_RANGES = {
  "1h": { spanSeconds: 3_600, bucketSeconds: 60 },
  "24h": { spanSeconds: 86_400, bucketSeconds: 900 },
  "7d": { spanSeconds: 604_800, bucketSeconds: 7_200 },
} as const;

export type ThroughputRange = keyof typeof THROUGHPUT_RANGES;

/** `?range=` of GET /api/v1/mirrors/{name}/throughput. Default: "1h". */
export const throughputQuerySchema = z.object({
  range: z.enum(Object.keys(THROUGHPUT_RANGES) as [ThroughputRange, ...ThroughputRange[]], { error: 'Range must be "1h", "24h" or "7d".' }).default("1h"),
});

export interface ThroughputBucket {
  /** Start of the bucket (ISO 8601, UTC). */
  start: string;
  inserts: number;
  updates: number;
  deletes: number;
}

export interface MirrorThroughput {
  range: ThroughputRange;
  bucketSeconds: number;
  /** Oldest first; buckets without batches are zeros, so the bars line up with time. */
  buckets: ThroughputBucket[];
}

/** Inserts, updates and deletes applied per bucket over the range, from the CDC batch ledger (cdc_batches). */
export async function mirrorThroughput(catalog: PrismaClient, name: string, range: ThroughputRange): Promise<MirrorThroughput> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true } });
  if (!mirror) throw notFound(name);
  const { spanSeconds, bucketSeconds } = THROUGHPUT_RANGES[range];
  const bucketMs = bucketSeconds * 1000;
  const lastStart = Math.floor(Date.now() / bucketMs) * bucketMs;
  const count = spanSeconds / bucketSeconds;
  const firstStart = lastStart - (count - 1) * bucketMs;
  const rows = await catalog.$queryRaw<{ bucket: number; inserts: bigint; updates: bigint; deletes: bigint }[]>`
    SELECT floor(extract(epoch FROM applied_at) / ${bucketSeconds})::float8 * ${bucketSeconds} * 1000 AS bucket,
           sum(inserts)::bigint AS inserts, sum(updates)::bigint AS updates, sum(deletes)::bigint AS deletes
    FROM cdc_batches
    WHERE mirror_id = ${mirror.id}::uuid AND applied_at >= ${new Date(firstStart)}
    GROUP BY 1`;
  const byStart = new Map(rows.map((r) => [Number(r.bucket), r]));
  const buckets = Array.from({ length: count }, (_, i) => {
    const start = firstStart + i * bucketMs;
    const row = byStart.get(start);
    return { start: new Date(start).toISOString(), inserts: Number(row?.inserts ?? 0), updates: Number(row?.updates ?? 0), deletes: Number(row?.deletes ?? 0) };
  });
  return { range, bucketSeconds, buckets };
}
