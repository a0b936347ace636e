import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "@/lib/sleep";
import { pauseMirror, requestDelete, resumeMirror, resyncMirror } from "@/lib/web/mirrors/actions";
import { getMirror, mirrorBatches } from "@/lib/web/mirrors/views";
import { tableChecksum } from "@/tests/support/compare";
import { createMirrorTestbed, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";
import { waitFor } from "@/tests/support/wait";

const TABLES = [
  { table: { schema: "public", name: "items" }, columns: ["id", "name", "qty"] },
  { table: { schema: "public", name: "Full Rows" }, columns: ["a", "b"] },
];

/** A CDC mirror end to end through a real worker: writes during and after the load, pause, resume, delete. */
describe("continuous replication through the worker", () => {
  let bed: MirrorTestbed;

  const converged = async () => {
    const { source, target } = bed;
    for (const { table, columns } of TABLES) {
      const [s, t] = await Promise.all([tableChecksum(source, table, columns), tableChecksum(target, table, columns).catch(() => null)]);
      if (JSON.stringify(s) !== JSON.stringify(t)) return false;
    }
    return true;
  };

  beforeAll(async () => {
    bed = await createMirrorTestbed(`
      CREATE TABLE public.items (id int PRIMARY KEY, name text, qty int);
      INSERT INTO public.items SELECT g, 'item ' || g, g FROM generate_series(1, 50000) g;
      CREATE TABLE public."Full Rows" (a int, b text);
      ALTER TABLE public."Full Rows" REPLICA IDENTITY FULL;
      INSERT INTO public."Full Rows" SELECT g % 100, 'same' FROM generate_series(1, 1000) g;
      ANALYZE;
    `);
    bed.startWorker();
  });

  afterAll(() => bed?.close());

  it("applies writes made during and after the initial load exactly once", async () => {
    const { catalog, source } = bed;
    await bed.createMirror({
      name: "live",
      mode: "cdc",
      tables: [{ source: "public.items" }, { source: 'public."Full Rows"' }],
      settings: { rowsPerPartition: 5000, parallelCopyWorkers: 2 },
    });
    // Writes while the mirror sets up and copies: inserts, updates, deletes, primary-key changes.
    let i = 0;
    while ((await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "live" } })).status !== "running" && i < 2000) {
      await source.query(
        `BEGIN;
         INSERT INTO public.items VALUES (${100000 + i}, 'new', ${i});
         UPDATE public.items SET qty = qty + 1 WHERE id = ${1 + ((i * 37) % 50000)};
         DELETE FROM public.items WHERE id = ${1 + ((i * 101) % 50000)};
         UPDATE public.items SET id = ${200000 + i} WHERE id = ${1 + ((i * 53) % 50000)};
         DELETE FROM public."Full Rows" WHERE ctid = (SELECT ctid FROM public."Full Rows" WHERE a = ${i % 100} LIMIT 1);
         COMMIT;`,
      );
      i++;
    }
    expect(i).toBeGreaterThan(0);
    await waitForMirrorStatus(catalog.prisma, "live", "running");
    await source.query(`
      INSERT INTO public.items SELECT g, 'late', 1 FROM generate_series(300000, 300999) g;
      UPDATE public.items SET name = 'renamed' WHERE id % 10 = 0;
      DELETE FROM public.items WHERE id % 13 = 0;
      UPDATE public."Full Rows" SET b = 'changed' WHERE ctid IN (SELECT ctid FROM public."Full Rows" WHERE a = 5 LIMIT 1);
      INSERT INTO public."Full Rows" VALUES (5, 'same'), (5, 'same');
    `);
    await waitFor(converged, 60_000, 500);

    await waitFor(async () => (await getMirror(catalog.prisma, "live")).cdc!.inserts > 0, 15_000);
    const detail = await getMirror(catalog.prisma, "live");
    expect(detail.cdc!.inserts).toBeGreaterThanOrEqual(1000);
    expect(detail.cdc!.updates).toBeGreaterThan(0);
    expect(detail.cdc!.deletes).toBeGreaterThan(0);
    expect((await mirrorBatches(catalog.prisma, "live")).recent.length).toBeGreaterThan(0);
  });

  it("stops applying while paused, reports retained WAL, and catches up on resume", async () => {
    const { catalog, source, target } = bed;
    await pauseMirror(catalog.prisma, "live");
    await sleep(3000);
    await source.query("INSERT INTO public.items SELECT g, 'while paused', 1 FROM generate_series(400000, 400099) g");
    await sleep(3000);
    const { rows } = await target.query("SELECT count(*)::int AS n FROM public.items WHERE id >= 400000");
    expect(rows[0].n).toBe(0);
    await waitFor(async () => (await getMirror(catalog.prisma, "live")).cdc!.retainedBytes !== null, 20_000);

    await resumeMirror(catalog.prisma, "live");
    await waitFor(converged, 60_000, 500);
  });

  it("resyncs a diverged target from a new snapshot and keeps replicating", async () => {
    const { catalog, source, target } = bed;
    await target.query("DELETE FROM public.items WHERE id % 2 = 0; UPDATE public.items SET name = 'diverged' WHERE id % 3 = 0");
    expect(await converged()).toBe(false);
    const slotBefore = await source.query("SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'pgferry_live'");
    await resyncMirror(catalog.prisma, "live");
    await waitFor(async () => (await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "live" } })).loadGeneration === 2, 30_000);
    await waitForMirrorStatus(catalog.prisma, "live", "running");
    await source.query("INSERT INTO public.items VALUES (500000, 'after resync', 1)");
    await waitFor(converged, 60_000, 500);
    const slotAfter = await source.query("SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = 'pgferry_live'");
    expect(slotAfter.rows[0].restart_lsn).not.toBe(slotBefore.rows[0].restart_lsn);
  });

  it("leaves no slot, publication or bookkeeping behind when deleted", async () => {
    const { catalog, source, target } = bed;
    await requestDelete(catalog.prisma, "live");
    await waitFor(async () => (await catalog.prisma.mirror.findUnique({ where: { name: "live" } })) === null, 60_000);
    const { rows } = await source.query(
      "SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pgferry%' AND database = current_database())::int AS slots, (SELECT count(*) FROM pg_publication)::int AS pubs",
    );
    expect(rows[0]).toEqual({ slots: 0, pubs: 0 });
    const schema = await target.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = '_pgferry'");
    expect(schema.rows[0].n).toBe(0);
    const kept = await target.query("SELECT count(*)::int AS n FROM public.items");
    expect(kept.rows[0].n).toBeGreaterThan(0);
  });
});
