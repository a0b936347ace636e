import { z } from "zod";
import { LAG_RANGES, type LagPoint, readLagHistory } from "@/lib/catalog/lag-history";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { notFound } from "@/lib/web/mirrors/views";

export const lagRangeSchema = z.enum(Object.keys(LAG_RANGES) as [keyof typeof LAG_RANGES, ...(keyof typeof LAG_RANGES)[]], {
  error: "range must be 1h, 24h or 7d",
});

export interface LagHistory {
  range: z.infer<typeof lagRangeSchema>;
  /** The latest measurement, as the mirror row holds it. */
  current: { lagBytes: number | null; lagSeconds: number | null; retainedBytes: number | null; measuredAt: string | null };
  points: LagPoint[];
}

/** GET /api/v1/mirrors/{name}/lag?range=1h|24h|7d: the mirror's lag over time, the worst per bucket. Default range: 1h. */
export async function mirrorLagHistory(catalog: PrismaClient, name: string, range: unknown): Promise<LagHistory> {
  const parsed = lagRangeSchema.parse(range ?? "1h");
  const mirror = await catalog.mirror.findUnique({ where: { name } });
  if (!mirror) throw notFound(name);
  const num = (value: bigint | null) => (value === null ? null : Number(value));
  return {
    range: parsed,
    current: {
      lagBytes: num(mirror.lagBytes),
      lagSeconds: mirror.lagSeconds,
      retainedBytes: num(mirror.retainedBytes),
      measuredAt: mirror.statsUpdatedAt?.toISOString() ?? null,
    },
    points: await readLagHistory(catalog, mirror.id, parsed),
  };
}
