import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneLagHistory, readLagHistory } from "@/lib/catalog/lag-history";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";
import { createPeerRow } from "@/tests/support/pgferry";

/** The lag history stays bounded: raw for an hour, the worst per minute for a day, per 10 min for 7 days. */
describe("lag history", () => {
  let catalog: TestCatalog;
  let mirrorId: string;

  beforeAll(async () => {
    catalog = await createTestCatalog();
    await createPeerRow(catalog.prisma, "src", "source", "postgres");
    const peer = await catalog.prisma.peer.findUniqueOrThrow({ where: { name: "src" } });
    const mirror = await catalog.prisma.mirror.create({
      data: { name: "h", sourcePeerId: peer.id, targetPeerId: peer.id, mode: "cdc", status: "paused", settings: {}, publicationName: "p", slotName: "s" },
    });
    mirrorId = mirror.id;
  });
  afterAll(() => catalog?.close());

  const ago = (ms: number) => new Date(Date.now() - ms);
  const MINUTE = 60_000;

  it("thins old samples to the worst per bucket and forgets those older than 7 days", async () => {
    const samples: { at: Date; lag: number }[] = [];
    for (let i = 0; i < 12; i++) samples.push({ at: ago(10 * MINUTE + i * 5_000), lag: 100 + i }); // recent: all kept
    for (let i = 0; i < 12; i++) samples.push({ at: new Date(Math.floor(ago(3 * 60 * MINUTE).getTime() / MINUTE) * MINUTE + i * 5_000), lag: i === 7 ? 999 : i }); // one minute, 3 h ago
    for (let i = 0; i < 5; i++) samples.push({ at: new Date(Math.floor(ago(3 * 24 * 60 * MINUTE).getTime() / (10 * MINUTE)) * 10 * MINUTE + i * MINUTE), lag: i }); // one 10-min bucket, 3 days ago
    samples.push({ at: ago(8 * 24 * 60 * MINUTE), lag: 5 }); // expired
    await catalog.prisma.mirrorLagSample.createMany({
      data: samples.map((s) => ({ mirrorId, sampledAt: s.at, sourceLsn: "0/1", lagBytes: BigInt(s.lag) })),
    });

    await pruneLagHistory(catalog.prisma);
    const left = await catalog.prisma.mirrorLagSample.findMany({ where: { mirrorId }, orderBy: { sampledAt: "asc" } });
    expect(left.map((s) => Number(s.lagBytes))).toEqual([4, 999, ...Array.from({ length: 12 }, (_, i) => 111 - i)]);
  });

  it("reads a range as at most the asked number of points, the worst per bucket", async () => {
    const hour = await readLagHistory(catalog.prisma, mirrorId, "1h", 2);
    expect(hour.length).toBeLessThanOrEqual(2);
    expect(Math.max(...hour.map((p) => p.lagBytes))).toBe(111);
    const week = await readLagHistory(catalog.prisma, mirrorId, "7d");
    expect(week.map((p) => p.lagBytes)).toEqual(expect.arrayContaining([4, 999]));
  });
});
