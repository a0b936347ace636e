import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableChecksum } from "@/tests/support/compare";
import { createMirrorTestbed, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";
import { waitFor } from "@/tests/support/wait";

/** kill -9 of the worker in the middle of a multi-partition load: the load restarts cleanly and ends exact. */
describe("worker killed during an initial load", () => {
  let bed: MirrorTestbed;

  beforeAll(async () => {
    bed = await createMirrorTestbed(`
      CREATE TABLE public.big (id bigint PRIMARY KEY, payload text NOT NULL, n numeric);
      INSERT INTO public.big SELECT g, repeat(md5(g::text), 8), g / 7.0 FROM generate_series(1, 300000) g;
      ANALYZE public.big;
    `);
  });

  afterAll(() => bed?.close());

  it("ends with the target equal to the source, nothing duplicated, and says why it restarted", async () => {
    const { catalog, source, target } = bed;
    const first = bed.startWorker();
    await bed.createMirror({ name: "crashy", mode: "cdc", tables: [{ source: "public.big" }], settings: { rowsPerPartition: 10000, parallelCopyWorkers: 2 } });
    // Kill once some partitions are done and others are not.
    await waitFor(async () => {
      const done = await catalog.prisma.partition.count({ where: { mirror: { name: "crashy" }, status: "done" } });
      const total = await catalog.prisma.partition.count({ where: { mirror: { name: "crashy" } } });
      return done >= 2 && done < total;
    }, 120_000, 50);
    await first.kill9();

    const second = bed.startWorker();
    await waitForMirrorStatus(catalog.prisma, "crashy", "running", 180_000).catch((error: Error) => {
      throw new Error(`${error.message}\nworker output:\n${second.output().slice(-4000)}`);
    });

    const columns = ["id", "payload", "n"];
    expect(await tableChecksum(target, { schema: "public", name: "big" }, columns)).toEqual(
      await tableChecksum(source, { schema: "public", name: "big" }, columns),
    );
    const mirror = await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "crashy" }, include: { events: true } });
    expect(mirror.loadGeneration).toBeGreaterThanOrEqual(2);
    expect(mirror.events.some((e) => e.level === "warn" && /starts over from a new snapshot/.test(e.message))).toBe(true);
    const slots = await source.query("SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = 'pgferry_crashy'");
    expect(slots.rows[0].n).toBe(1);
  }, 300_000);
});
