import type { PrismaClient } from "@/lib/catalog/generated/client";
import { OFFLINE_AFTER_MS } from "@/lib/catalog/workers";

/**
 * What GET /api/health answers, without signing in (Docker HEALTHCHECK, load balancers, uptime
 * checks). It says only whether the catalog answers and how many workers are online: no version,
 * no host, no error text, since anyone who can reach the port can read it.
 */
export interface Health {
  status: "ok" | "unavailable";
  catalog: "ok" | "unreachable";
  workersOnline: number | null;
}

/** How long the catalog may take to answer before the app counts as unhealthy. Default: 3 s. */
export const HEALTH_TIMEOUT_MS = 3_000;

export async function checkHealth(catalog: PrismaClient, timeoutMs = HEALTH_TIMEOUT_MS): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("catalog health check timed out")), timeoutMs);
  });
  try {
    const workersOnline = await Promise.race([
      catalog.worker.count({ where: { stoppedAt: null, lastSeenAt: { gt: new Date(Date.now() - OFFLINE_AFTER_MS) } } }),
      timeout,
    ]);
    return { status: "ok", catalog: "ok", workersOnline };
  } catch {
    return { status: "unavailable", catalog: "unreachable", workersOnline: null };
  } finally {
    clearTimeout(timer);
  }
}

/** The HTTP answer: 200 when healthy, 503 otherwise; never cached by a proxy in between. */
export async function healthResponse(catalog: PrismaClient): Promise<Response> {
  const health = await checkHealth(catalog);
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
