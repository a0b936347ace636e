import { beforeAll, describe, expect, it } from "vitest";
import { GET as eventsRoute } from "@/app/api/v1/mirrors/[name]/events/route";
import { GET as throughputRoute } from "@/app/api/v1/mirrors/[name]/throughput/route";
import { historyMirrorFixture } from "./api-catalog";

const PASSWORD = "console-history-test-password";

/** The Logs tab's filters and pages, and the CDC chart's buckets, through their API routes. */
describe("mirror log and throughput history", () => {
  const api = historyMirrorFixture(PASSWORD, "running");

  beforeAll(async () => {
    await api.catalog.prisma.mirrorEvent.createMany({
      data: Array.from({ length: 25 }, (_, i) => ({
        mirrorId: api.mirrorId,
        level: i % 5 === 0 ? "error" : i % 2 === 0 ? "warn" : "info",
        message: i % 3 === 0 ? `Slot lag grew (${i})` : `Copied partition ${i}`,
      })),
    });
  });

  const get = async (route: typeof eventsRoute, path: string) => {
    const response = await route(new Request(`http://pgferry.test/api/v1/mirrors/${path}`, { headers: { authorization: `Bearer ${PASSWORD}` } }), {
      params: Promise.resolve({ name: path.split("/")[0] }),
    });
    return { status: response.status, body: await response.json() };
  };

  it("pages through the log by id, newest first, with level and text filters", async () => {
    const first = await get(eventsRoute, "h/events?limit=10");
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(25);
    expect(first.body.events).toHaveLength(10);
    const ids = first.body.events.map((e: { id: string }) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);

    const second = await get(eventsRoute, `h/events?limit=10&before=${first.body.nextBefore}`);
    expect(second.body.events).toHaveLength(10);
    expect(BigInt(second.body.events[0].id)).toBeLessThan(ids[ids.length - 1]);
    const third = await get(eventsRoute, `h/events?limit=10&before=${second.body.nextBefore}`);
    expect(third.body.events).toHaveLength(5);
    expect(third.body.nextBefore).toBeNull();

    const errors = await get(eventsRoute, "h/events?level=error");
    expect(errors.body.total).toBe(5);
    expect(errors.body.events.every((e: { level: string }) => e.level === "error")).toBe(true);
    const warnOrError = await get(eventsRoute, "h/events?level=warn,error");
    expect(warnOrError.body.total).toBe(5 + 10);

    const slot = await get(eventsRoute, "h/events?q=SLOT%20lag");
    expect(slot.body.total).toBe(9);
    expect(slot.body.events.every((e: { message: string }) => e.message.startsWith("Slot lag grew"))).toBe(true);

    // The API's old shape still works: no parameters gives the newest 200 under "events".
    expect((await get(eventsRoute, "h/events")).body.events).toHaveLength(25);
  });

  it("refuses a level or cursor it does not know, and a mirror that does not exist", async () => {
    expect((await get(eventsRoute, "h/events?level=debug")).status).toBe(400);
    expect((await get(eventsRoute, "h/events?before=abc")).status).toBe(400);
    expect((await get(eventsRoute, "nope/events")).status).toBe(404);
    expect((await get(throughputRoute, "h/throughput?range=2d")).status).toBe(400);
  });

  it("sums inserts, updates and deletes per bucket, with empty buckets as zeros", async () => {
    const now = Date.now();
    await api.catalog.prisma.cdcBatch.createMany({
      data: [
        { mirrorId: api.mirrorId, rows: 6, inserts: 3, updates: 2, deletes: 1, firstLsn: "0/1", lastLsn: "0/2", durationMs: 5, appliedAt: new Date(now - 1_000) },
        { mirrorId: api.mirrorId, rows: 4, inserts: 4, updates: 0, deletes: 0, firstLsn: "0/3", lastLsn: "0/4", durationMs: 5, appliedAt: new Date(now - 1_500) },
        { mirrorId: api.mirrorId, rows: 7, inserts: 0, updates: 7, deletes: 0, firstLsn: "0/5", lastLsn: "0/6", durationMs: 5, appliedAt: new Date(now - 5 * 3_600_000) },
      ],
    });
    const hour = await get(throughputRoute, "h/throughput");
    expect(hour.body).toMatchObject({ range: "1h", bucketSeconds: 60 });
    expect(hour.body.buckets).toHaveLength(60);
    const sum = (buckets: { inserts: number; updates: number; deletes: number }[]) =>
      buckets.reduce((s, b) => ({ inserts: s.inserts + b.inserts, updates: s.updates + b.updates, deletes: s.deletes + b.deletes }), { inserts: 0, updates: 0, deletes: 0 });
    expect(sum(hour.body.buckets)).toEqual({ inserts: 7, updates: 2, deletes: 1 });
    expect(hour.body.buckets.filter((b: { inserts: number }) => b.inserts > 0).length).toBeLessThanOrEqual(2);

    const day = await get(throughputRoute, "h/throughput?range=24h");
    expect(day.body.buckets).toHaveLength(96);
    expect(sum(day.body.buckets)).toEqual({ inserts: 7, updates: 9, deletes: 1 });
    expect((await get(throughputRoute, "h/throughput?range=7d")).body.buckets).toHaveLength(84);
  });
});
