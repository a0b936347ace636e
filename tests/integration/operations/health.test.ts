import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { createClient } from "@/lib/catalog/db";
import { healthResponse } from "@/lib/web/health";
import { config, proxy } from "@/proxy";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";

/** GET /api/health: public, 200 with the worker count while the catalog answers, 503 when it does not. */
describe("GET /api/health", () => {
  let catalog: TestCatalog;

  beforeAll(async () => {
    catalog = await createTestCatalog();
    process.env.DATABASE_URL = catalog.url;
  });
  afterAll(() => catalog?.close());

  it("answers 200 with the catalog ok and the workers online", async () => {
    const empty = await GET();
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ status: "ok", catalog: "ok", workersOnline: 0 });

    await catalog.prisma.worker.create({ data: { id: "w-online", host: "h", pid: 1 } });
    await catalog.prisma.worker.create({ data: { id: "w-stale", host: "h", pid: 2, lastSeenAt: new Date(Date.now() - 60_000) } });
    await catalog.prisma.worker.create({ data: { id: "w-stopped", host: "h", pid: 3, stoppedAt: new Date() } });
    const response = await GET();
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok", catalog: "ok", workersOnline: 1 });
  });

  it("answers 503 without any detail when the catalog cannot be reached", async () => {
    const unreachable = createClient("postgresql://pgferry:s3cret-catalog-password@127.0.0.1:1/pgferry");
    try {
      const started = Date.now();
      const response = await healthResponse(unreachable);
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ status: "unavailable", catalog: "unreachable", workersOnline: null });
      expect(text).not.toMatch(/s3cret|127\.0\.0\.1|ECONNREFUSED/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await unreachable.$disconnect();
    }
  });

  it("is the one API path the proxy lets through without signing in (matched exactly)", async () => {
    const open = await proxy(new NextRequest("http://pgferry.test/api/health"));
    expect(open.headers.get("x-middleware-next")).toBe("1");
    for (const path of ["/api/healthz", "/api/health/x", "/api/v1/workers", "/metrics"]) {
      const gated = await proxy(new NextRequest(`http://pgferry.test${path}`));
      expect(gated.status, path).toBe(401);
    }
  });

  it("is left out of the proxy's matcher by an anchored pattern", () => {
    const gated = (path: string) => config.matcher.some((m) => new RegExp(`^${m}$`).test(path));
    expect(gated("/api/health")).toBe(false);
    for (const path of ["/api/healthz", "/api/health/x", "/api/v1/workers", "/metrics"]) expect(gated(path), path).toBe(true);
  });

  it("lets /metrics through only when PGFERRY_METRICS_PUBLIC=1", async () => {
    process.env.PGFERRY_METRICS_PUBLIC = "1";
    try {
      const open = await proxy(new NextRequest("http://pgferry.test/metrics"));
      expect(open.headers.get("x-middleware-next")).toBe("1");
    } finally {
      delete process.env.PGFERRY_METRICS_PUBLIC;
    }
  });
});
