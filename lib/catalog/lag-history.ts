import type { PrismaClient } from "./generated/client";

/**
 * The lag history's size stays bounded: every sample (about one per 5 s) for the last hour, the
 * worst per minute up to a day, the worst per 10 minutes up to 7 days, nothing older. The worst,
 * not the first, so a thinned chart still shows every spike an operator should see.
 */
export const LAG_HISTORY_DAYS = 7;

export async function pruneLagHistory(catalog: PrismaClient): Promise<number> {
  const expired = await catalog.$executeRaw`
    DELETE FROM mirror_lag_samples WHERE sampled_at < now() - make_interval(days => ${LAG_HISTORY_DAYS})`;
  const thinned = await catalog.$executeRaw`
    DELETE FROM mirror_lag_samples s USING (
      SELECT id, row_number() OVER (
               PARTITION BY mirror_id,
                 CASE WHEN sampled_at < now() - interval '1 day'
                      THEN date_bin('10 minutes', sampled_at, timestamptz '2000-01-01')
                      ELSE date_trunc('minute', sampled_at) END
               ORDER BY lag_bytes DESC, id) AS rank
      FROM mirror_lag_samples WHERE sampled_at < now() - interval '1 hour'
    ) ranked
    WHERE s.id = ranked.id AND ranked.rank > 1`;
  return expired + thinned;
}

export const LAG_RANGES = { "1h": 3_600, "24h": 86_400, "7d": 604_800 } as const;
export type LagRange = keyof typeof LAG_RANGES;

export interface LagPoint {
  at: string;
  lagBytes: number;
  lagSeconds: number | null;
  retainedBytes: number | null;
}

/** A mirror's lag history over `range`, oldest first, at most `maxPoints` (the worst per bucket). */
export async function readLagHistory(catalog: PrismaClient, mirrorId: string, range: LagRange, maxPoints = 360): Promise<LagPoint[]> {
  const seconds = LAG_RANGES[range];
  const bucket = Math.max(1, Math.ceil(seconds / maxPoints));
  const rows = await catalog.$queryRaw<{ at: Date; lag_bytes: bigint; lag_seconds: number | null; retained_bytes: bigint | null }[]>`
    SELECT date_bin(make_interval(secs => ${bucket}), sampled_at, timestamptz '2000-01-01') AS at,
           max(lag_bytes) AS lag_bytes, max(lag_seconds) AS lag_seconds, max(retained_bytes) AS retained_bytes
    FROM mirror_lag_samples
    WHERE mirror_id = ${mirrorId}::uuid AND sampled_at > now() - make_interval(secs => ${seconds})
    GROUP BY 1 ORDER BY 1`;
  return rows.map((r) => ({
    at: r.at.toISOString(),
    lagBytes: Number(r.lag_bytes),
    lagSeconds: r.lag_seconds,
    retainedBytes: r.retained_bytes === null ? null : Number(r.retained_bytes),
  }));
}
