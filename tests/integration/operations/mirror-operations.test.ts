import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as lagRoute } from "@/app/api/v1/mirrors/[name]/lag/route";
import { GET as metrics } from "@/app/metrics/route";
import { writeAlertSettings } from "@/lib/catalog/alert-settings";
import { pauseMirror, resumeMirror } from "@/lib/web/mirrors/actions";
import { createMirror } from "@/lib/web/mirrors/create";
import { getMirror } from "@/lib/web/mirrors/views";
import type { TestCatalog } from "@/tests/support/catalog";
import { tableChecksum } from "@/tests/support/compare";
import { createMirrorTestbed, type MirrorTestbed, startWorker, waitForMirrorStatus, type WorkerProcess } from "@/tests/support/pgferry";
import { waitFor } from "@/tests/support/wait";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver";

const PASSWORD = "operations-test-password";
const TABLE = { schema: "public", name: "orders" };
const COLUMNS = ["id", "qty"];

/**
 * One CDC mirror through a real worker, watched as an operator would: metrics while it runs, true
 * lag while paused and after it failed, a webhook alert when it fails, resume after the fix, and
 * the alert resolved.
 * (The scenario continues step by step, so one worker and one initial load serve every check.)
 */
describe("operating a mirror", () => {
  let bed: MirrorTestbed;
  let catalog: TestCatalog;
  let source: pg.Client;
  let target: pg.Client;
  let worker: WorkerProcess;
  let hook: WebhookReceiver;

  const converged = async () => {
    const [s, t] = await Promise.all([tableChecksum(source, TABLE, COLUMNS), tableChecksum(target, TABLE, COLUMNS).catch(() => null)]);
    return JSON.stringify(s) === JSON.stringify(t);
  };
  const scrape = async (authorization?: string) => {
    const response = await metrics(new Request("http://pgferry.test/metrics", { headers: authorization ? { authorization } : {} }));
    return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
  };
  const metricValue = (text: string, line: string) => {
    const found = text.split("\n").find((l) => l.startsWith(`${line} `));
    return found === undefined ? undefined : Number(found.slice(line.length + 1));
  };

  beforeAll(async () => {
    bed = await createMirrorTestbed();
    ({ catalog, source, target } = bed);
    process.env.DATABASE_URL = catalog.url;
    process.env.PGFERRY_PASSWORD = PASSWORD;
    await source.query(`
      CREATE TABLE public.orders (id int PRIMARY KEY, qty int NOT NULL);
      INSERT INTO public.orders SELECT g, g % 7 FROM generate_series(1, 2000) g;
    `);
    worker = startWorker(catalog.url, { PGFERRY_LOG_FORMAT: "json" });
    await createMirror(catalog.prisma, { name: "ops", source: "src", target: "dst", mode: "cdc", tables: [{ source: "public.orders" }] });
    await waitForMirrorStatus(catalog.prisma, "ops", "running");
  });

  afterAll(async () => {
    await worker?.stop();
    await hook?.close();
    await bed?.close();
    delete process.env.PGFERRY_PASSWORD;
  });

  it("exposes lag, slot state and applied rows of a running mirror to Prometheus", async () => {
    await source.query("INSERT INTO public.orders SELECT g, 1 FROM generate_series(3001, 3100) g; UPDATE public.orders SET qty = qty + 1 WHERE id <= 10");
    await waitFor(converged, 60_000, 500);
    const text = await waitFor(async () => {
      const { text } = await scrape(`Bearer ${PASSWORD}`);
      const applied = metricValue(text, 'pgferry_rows_applied_total{mirror="ops",table="public.orders",op="insert"}');
      return applied === 100 && text.includes('pgferry_mirror_lag_bytes{mirror="ops"}') && metricValue(text, 'pgferry_mirror_slot_active{mirror="ops"}') === 1 ? text : null;
    }, 30_000, 500);
    expect(metricValue(text, 'pgferry_mirror_status{mirror="ops",status="running"}')).toBe(1);
    expect(metricValue(text, 'pgferry_mirror_status{mirror="ops",status="paused"}')).toBe(0);
    expect(metricValue(text, 'pgferry_mirror_lag_bytes{mirror="ops"}')).toBeGreaterThanOrEqual(0);
    expect(metricValue(text, 'pgferry_mirror_lag_seconds{mirror="ops"}')).toBeGreaterThanOrEqual(0);
    expect(metricValue(text, 'pgferry_mirror_retained_wal_bytes{mirror="ops"}')).toBeGreaterThan(0);
    expect(metricValue(text, 'pgferry_rows_applied_total{mirror="ops",table="public.orders",op="update"}')).toBe(10);
    expect(metricValue(text, 'pgferry_initial_load_rows_copied{mirror="ops",table="public.orders"}')).toBe(2000);
    expect(metricValue(text, "pgferry_workers_online")).toBe(1);
    expect(text).toContain("# TYPE pgferry_rows_applied_total counter");
  });

  it("asks for the password unless the metrics are made public", async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer wrong")).status).toBe(401);
    const ok = await scrape(`Bearer ${PASSWORD}`);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    process.env.PGFERRY_METRICS_PUBLIC = "1";
    try {
      expect((await scrape()).status).toBe(200);
    } finally {
      delete process.env.PGFERRY_METRICS_PUBLIC;
    }
  });

  /** The mirror row's lag once a sample newer than `after` has a slot that nothing streams from. */
  const idleSample = (after: Date) =>
    waitFor(async () => {
      const m = await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "ops" } });
      const slot = m.slotStatus as { active?: boolean } | null;
      return m.statsUpdatedAt && m.statsUpdatedAt > after && slot?.active === false && m.lagBytes !== null && m.lagBytes > 0n ? m : null;
    }, 30_000, 500);
  /** What the paused and failed banners (StatusBanner.tsx) read: the sampler's figures, through the mirror's API view. */
  const expectBannerFigures = async (status: string) => {
    const view = await getMirror(catalog.prisma, "ops");
    expect(view.status).toBe(status);
    expect(view.cdc?.retainedBytes).toBeGreaterThan(0);
    expect(view.cdc?.statsUpdatedAt).not.toBeNull();
    expect(view.cdc?.slot).toMatchObject({ active: false });
    expect(view.cdc?.slot).not.toHaveProperty("missing");
  };
  const slotBacklog = async () =>
    (await source.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint AS n FROM pg_replication_slots WHERE slot_name = 'pgferry_ops'")).rows[0].n;

  it("measures the true lag of a paused mirror with changes it has not applied", async () => {
    await pauseMirror(catalog.prisma, "ops");
    await waitFor(async () => (await source.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'pgferry_ops'")).rows[0]?.active === false, 30_000);
    const pausedAt = new Date();
    await source.query("INSERT INTO public.orders SELECT g, 2 FROM generate_series(5001, 5500) g");
    const mirror = await idleSample(pausedAt);
    expect(Number(mirror.lagBytes)).toBeGreaterThan(0);
    expect(Number(mirror.lagBytes)).toBeLessThanOrEqual(Number(await slotBacklog()));
    expect(Number(mirror.retainedBytes)).toBeGreaterThanOrEqual(Number(mirror.lagBytes));
    await expectBannerFigures("paused");
    // Dated from the history: the wait is seen growing.
    await waitFor(async () => ((await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "ops" } })).lagSeconds ?? 0) >= 4, 30_000, 500);
    const history = await catalog.prisma.mirrorLagSample.findMany({ where: { mirrorId: mirror.id, sampledAt: { gt: pausedAt } } });
    expect(history.some((h) => h.lagBytes > 0n && h.slotActive === false)).toBe(true);
    const lagHistory = async (range: string) => {
      const response = await lagRoute(new Request(`http://pgferry.test/api/v1/mirrors/ops/lag?range=${range}`, { headers: { authorization: `Bearer ${PASSWORD}` } }), {
        params: Promise.resolve({ name: "ops" }),
      });
      return { status: response.status, json: await response.json() };
    };
    const week = await lagHistory("7d");
    expect(week.status).toBe(200);
    expect(week.json.current.lagBytes).toBeGreaterThan(0);
    expect(week.json.points.some((p: { lagBytes: number }) => p.lagBytes > 0)).toBe(true);
    expect((await lagHistory("2w")).status).toBe(400);
    const { text } = await scrape(`Bearer ${PASSWORD}`);
    expect(metricValue(text, 'pgferry_mirror_lag_bytes{mirror="ops"}')).toBeGreaterThan(0);
    expect(metricValue(text, 'pgferry_mirror_slot_active{mirror="ops"}')).toBe(0);

    await resumeMirror(catalog.prisma, "ops");
    await waitFor(converged, 60_000, 500);
  });

  it("keeps measuring a mirror that failed, and sends mirror_failed to the webhook", async () => {
    hook = await startWebhookReceiver();
    await writeAlertSettings(catalog.prisma, { webhookUrl: hook.url });
    // The target refuses a change the source accepts: the mirror fails with the change unapplied.
    await target.query("ALTER TABLE public.orders ADD CONSTRAINT small_qty CHECK (qty < 1000) NOT VALID");
    await source.query("INSERT INTO public.orders VALUES (9001, 5000)");
    await waitForMirrorStatus(catalog.prisma, "ops", "failed");
    const failedAt = new Date();
    const mirror = await idleSample(failedAt);
    expect(Number(mirror.lagBytes)).toBeGreaterThan(0);
    expect(mirror.retainedBytes).not.toBeNull();
    await expectBannerFigures("failed");

    const alert = await waitFor(() => hook.received.find((a) => a.event === "mirror_failed"), 60_000, 250);
    expect(alert).toMatchObject({ mirror: "ops", status: "failed", text: expect.stringContaining('mirror "ops"') });
    expect(String(alert.cause)).toMatch(/small_qty|check/i);
    // Written once the webhook answered, so just after it received the alert.
    await waitFor(async () => {
      const events = await catalog.prisma.mirrorEvent.findMany({ where: { mirrorId: mirror.id } });
      return events.some((e) => e.message.startsWith("Alert sent to the webhook: mirror failed"));
    }, 10_000, 200);
    // At most one per kind per mirror: later passes see the alert already told.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(hook.received.filter((a) => a.event === "mirror_failed")).toHaveLength(1);
  });

  it("resumes the failed mirror from the target's position once the cause is removed, and resolves the alert", async () => {
    const before = await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "ops" } });
    await target.query("ALTER TABLE public.orders DROP CONSTRAINT small_qty");
    await resumeMirror(catalog.prisma, "ops");
    await waitForMirrorStatus(catalog.prisma, "ops", "running");
    await source.query("UPDATE public.orders SET qty = 3 WHERE id = 1");
    await waitFor(converged, 60_000, 500);
    const { rows } = await target.query("SELECT qty FROM public.orders WHERE id = 9001");
    expect(rows).toEqual([{ qty: 5000 }]);
    const after = await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "ops" }, include: { events: true } });
    expect(after.loadGeneration).toBe(before.loadGeneration);
    expect(after.errorMessage).toBeNull();
    expect(after.events.some((e) => e.message.startsWith("Resumed after a failure"))).toBe(true);

    const resolved = await waitFor(() => hook.received.find((a) => a.event === "resolved"), 60_000, 250);
    expect(resolved).toMatchObject({ mirror: "ops", resolved: "mirror_failed", status: "running" });
  });

  it("logged one JSON object per line, without the job queue's per-job lines", () => {
    const lines = worker.output().split("\n").filter((l) => l.trim() !== "");
    expect(lines.length).toBeGreaterThan(0);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const entry of entries) expect(Object.keys(entry)).toEqual(expect.arrayContaining(["time", "level", "component", "mirror", "message"]));
    expect(entries.some((e) => e.message === "worker started")).toBe(true);
    expect(lines.filter((l) => /Completed task|Found task/.test(l))).toEqual([]);
  });
});
