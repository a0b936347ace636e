import { describe, expect, it } from "vitest";
import { GET as lagRoute } from "@/app/api/v1/mirrors/[name]/lag/route";
import { pruneLagHistory, readLagHistory } from "@/lib/catalog/lag-history";
import { historyMirrorFixture } from "./api-catalog";

const PASSWORD = "lag-history-test-password";

/** The lag history stays bounded: raw for an hour, the worst per minute for a day, per 10 min for 7 days. */
describe("lag history", () => {
  const api = historyMirrorFixture(PASSWORD, "paused");

  const ago = (ms: number) => new Date(Date.now() - ms);
  const MINUTE = 60_000;

  it("thins old samples to the worst per bucket and forgets those older than 7 days", async () => {
    const samples: { at: Date; lag: number }[] = [];
    for (let i = 0; i < 12; i++) samples.push({ at: ago(10 * MINUTE + i * 5_000), lag: 100 + i }); // recent: all kept
    for (let i = 0; i < 12; i++) samples.push({ at: new Date(Math.floor(ago(3 * 60 * MINUTE).getTime() / MINUTE) * MINUTE + i * 5_000), lag: i === 7 ? 999 : i }); // one minute, 3 h ago
    for (let i = 0; i < 5; i++) samples.push({ at: new Date(Math.floor(ago(3 * 24 * 60 * MINUTE).getTime() / (10 * MINUTE)) * 10 * MINUTE + i * MINUTE), lag: i }); // one 10-min bucket, 3 days ago
    samples.push({ at: ago(8 * 24 * 60 * MINUTE), lag: 5 }); // expired
    await api.catalog.prisma.mirrorLagSample.createMany({
      data: samples.map((s) => ({ mirrorId: api.mirrorId, sampledAt: s.at, sourceLsn: "0/1", lagBytes: BigInt(s.lag) })),
    });

    await pruneLagHistory(api.catalog.prisma);
    const left = await api.catalog.prisma.mirrorLagSample.findMany({ where: { mirrorId: api.mirrorId }, orderBy: { sampledAt: "asc" } });
    expect(left.map((s) => Number(s.lagBytes))).toEqual([4, 999, ...Array.from({ length: 12 }, (_, i) => 111 - i)]);
  });

  it("reads a range as at most the asked number of points, the worst per bucket", async () => {
    const hour = await readLagHistory(api.catalog.prisma, api.mirrorId, "1h", 2);
    expect(hour.length).toBeLessThanOrEqual(2);
    expect(Math.max(...hour.map((p) => p.lagBytes))).toBe(111);
    const week = await readLagHistory(api.catalog.prisma, api.mirrorId, "7d");
    expect(week.map((p) => p.lagBytes)).toEqual(expect.arrayContaining([4, 999]));
  });

  it("is served at GET /api/v1/mirrors/{name}/lag with the current figures", async () => {
    await api.catalog.prisma.mirror.update({ where: { id: api.mirrorId }, data: { lagBytes: 111n, lagSeconds: 30, retainedBytes: 5000n, statsUpdatedAt: new Date() } });
    const get = async (name: string, query = "") => {
      const response = await lagRoute(new Request(`http://pgferry.test/api/v1/mirrors/${name}/lag${query}`, { headers: { authorization: `Bearer ${PASSWORD}` } }), {
        params: Promise.resolve({ name }),
      });
      return { status: response.status, json: await response.json() };
    };
    const hour = await get("h");
    expect(hour.status).toBe(200);
    expect(hour.json).toMatchObject({ range: "1h", current: { lagBytes: 111, lagSeconds: 30, retainedBytes: 5000 } });
    expect(hour.json.points.length).toBeGreaterThan(0);
    expect((await get("h", "?range=7d")).json.points.map((p: { lagBytes: number }) => p.lagBytes)).toEqual(expect.arrayContaining([4, 999]));
    expect((await get("h", "?range=2w")).status).toBe(400);
    expect((await get("nope")).status).toBe(404);
  });
});
