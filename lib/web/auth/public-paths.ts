/**
 * Paths that answer without signing in besides those proxy.ts's matcher leaves out. Matched
 * exactly, never by prefix, so `/api/healthz` or `/api/health/x` stay gated.
 */
export function isPublicPath(pathname: string, environment: NodeJS.ProcessEnv = process.env): boolean {
  if (pathname === "/api/health") return true;
  // Prometheus scrapers often cannot send a bearer token; opting in makes the metrics readable by anyone who reaches the port.
  return pathname === "/metrics" && environment.PGFERRY_METRICS_PUBLIC === "1";
}
