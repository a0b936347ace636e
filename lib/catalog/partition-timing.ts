import type { PrismaClient } from "./generated/client";

/**
 * Average time one partition of a load generation took to copy (finished − started, done partitions
 * only), in milliseconds; null before any is done. Partitions copied together in one bundle share
 * the bundle's times, so this is the time per job there, as the copy experienced it.
 */
export async function averagePartitionMs(catalog: PrismaClient, mirrorId: string, generation: number): Promise<number | null> {
  const [row] = await catalog.$queryRaw<{ avg_ms: number | null }[]>`
    SELECT (avg(extract(epoch FROM finished_at - started_at)) * 1000)::float8 AS avg_ms
      FROM partitions
     WHERE mirror_id = ${mirrorId}::uuid AND generation = ${generation} AND status = 'done'
       AND started_at IS NOT NULL AND finished_at IS NOT NULL`;
  return row?.avg_ms ?? null;
}
