import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { editMirror } from "@/lib/web/mirrors/edit";
import { resync } from "@/lib/web/mirrors/resync-tables";
import { startVerification } from "@/lib/web/mirrors/verify";
import { pauseMirror, resumeMirror } from "@/lib/web/mirrors/actions";
import { connect } from "@/tests/support/databases";
import { sleep } from "@/lib/sleep";
import { sameRows } from "@/tests/support/compare";
import { createMirrorTestbed, describeMirror, type MirrorTestbed, waitForMirrorStatus, type WorkerProcess } from "@/tests/support/pgferry";
import { startSourceWriter } from "@/tests/support/source-writer";
import { waitFor } from "@/tests/support/wait";

const MIRRORED = ["alpha", "beta"] as const;
/** keyless: REPLICA IDENTITY FULL, its inserts are not idempotent, so a change applied twice shows as an extra row. */
const ADDED = ["small_one", "keyless", "large"] as const;
const ALL = [...MIRRORED, ...ADDED] as const;
const COLUMNS = ["id", "v"];
/** Rows of the large added table: its copy takes seconds while the others stream. */
const LARGE_ROWS = 1_500_000;

/**
 * Issue 14: tables added to and resynced in a running CDC mirror under a write load on every table,
 * through a real worker process; kill -9 in the middle of an add. Every table equal at the end.
 */
describe("adding and resyncing tables of a running mirror", () => {
  let bed: MirrorTestbed;
  let worker: WorkerProcess;

  const table = (name: string) => ({ schema: "public", name });
  const equal = (name: string) => sameRows(bed.source, bed.target, table(name), COLUMNS);
  const allEqual = async (names: readonly string[]) => (await Promise.all(names.map(equal))).every(Boolean);
  const mirror = () => bed.catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "grows" }, include: { tables: { orderBy: { position: "asc" } } } });
  const phaseOf = async (name: string) => (await mirror()).tables.find((t) => t.sourceTable === name)?.syncPhase ?? null;
  /** Writes to every table, each transaction touching one table (inserts and an update). */
  const writeLoad = (names: readonly string[], offset: number) =>
    startSourceWriter(
      bed.sourceDatabase,
      async (client: pg.Client, i: number) => {
        const name = names[i % names.length];
        const id = offset + i * 3;
        await client.query(
          `BEGIN; INSERT INTO public.${name} VALUES (${id}, 'w'), (${id + 1}, 'w'); UPDATE public.${name} SET v = 'u${i}' WHERE id = ${1 + (i % 500)}; COMMIT;`,
        );
        await sleep(5);
      },
      1_000_000,
    );
  /** Time from a committed insert into `name` on the source to the row on the target. */
  const arrival = async (name: string, id: number, timeoutMs = 15_000) => {
    const started = Date.now();
    await bed.source.query(`INSERT INTO public.${name} VALUES (${id}, 'marker')`);
    await waitFor(async () => (await bed.target.query(`SELECT 1 FROM public.${name} WHERE id = ${id}`)).rowCount === 1, timeoutMs, 50);
    return Date.now() - started;
  };
  const addAll = (names: readonly string[]) => editMirror(bed.catalog.prisma, "grows", { tables: names.map((n) => ({ source: `public.${n}` })) });
  const syncObjectsLeft = async () => {
    const slots = await bed.source.query("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'pgferry_sync_%'");
    const publications = await bed.source.query("SELECT pubname FROM pg_publication WHERE pubname LIKE 'pgferry_sync_%'");
    return slots.rowCount! + publications.rowCount!;
  };

  beforeAll(async () => {
    const small = (n: string) => `CREATE TABLE public.${n} (id bigint PRIMARY KEY, v text); INSERT INTO public.${n} SELECT g, 'x' FROM generate_series(1, 3000) g;`;
    bed = await createMirrorTestbed(
      [
        ...MIRRORED.map(small),
        small("small_one"),
        "CREATE TABLE public.keyless (id bigint, v text); ALTER TABLE public.keyless REPLICA IDENTITY FULL; INSERT INTO public.keyless SELECT g, 'x' FROM generate_series(1, 3000) g;",
        `CREATE TABLE public.large (id bigint PRIMARY KEY, v text); INSERT INTO public.large SELECT g, repeat('y', 40) FROM generate_series(1, ${LARGE_ROWS}) g;`,
        "CREATE TABLE public.late (id bigint PRIMARY KEY, v text); INSERT INTO public.late SELECT g, 'x' FROM generate_series(1, 400000) g;",
        "CREATE TABLE public.parked (id bigint PRIMARY KEY, v text); INSERT INTO public.parked SELECT g, 'x' FROM generate_series(1, 50000) g;",
      ].join("\n"),
    );
    worker = bed.startWorker();
    await bed.createMirror({ name: "grows", mode: "cdc", tables: MIRRORED.map((n) => ({ source: `public.${n}` })) });
    await waitForMirrorStatus(bed.catalog.prisma, "grows", "running");
  }, 180_000);

  afterAll(() => bed?.close());

  it("adds three tables under a write load on all of them; the others keep streaming during the copy", async () => {
    const load = writeLoad(ALL, 10_000_000);
    await sleep(1_000);
    await addAll(ALL);
    expect((await mirror()).tables.slice(2).map((t) => [t.syncKind, t.syncPhase])).toEqual(ADDED.map(() => ["add", "queued"]));
    await waitFor(async () => (await phaseOf("large")) === "copying", 30_000, 50);
    // During the large table's copy, a change to a mirrored table arrives within seconds.
    const during = await arrival("alpha", -1);
    expect(await phaseOf("large")).toBe("copying");
    expect(during).toBeLessThan(5_000);
    await waitFor(async () => (await phaseOf("large")) === null, 240_000, 250).catch(async (error) => {
      throw new Error(`${(error as Error).message}\n${await describeMirror(bed.catalog.prisma, "grows")}`);
    });
    await sleep(2_000);
    await load.stop();
    await waitFor(() => allEqual(ALL), 60_000, 500);
    const after = await mirror();
    expect(after.status).toBe("running");
    expect(after.tables.map((t) => [t.sourceTable, t.status, t.syncKind])).toEqual(ALL.map((n) => [n, "done", null]));
    expect(Number(after.tables[4].rowsCopiedAlone)).toBeGreaterThanOrEqual(LARGE_ROWS);
    // The added tables' changes are counted, their slot and publication gone, and the main publication has them.
    expect(after.tables.slice(2).every((t) => Number(t.inserts) > 0)).toBe(true);
    expect(await syncObjectsLeft()).toBe(0);
    const published = await bed.source.query("SELECT tablename FROM pg_publication_tables WHERE pubname = 'pgferry_grows' ORDER BY 1");
    expect(published.rows.map((r) => r.tablename)).toEqual([...ALL].sort());
    // And changes keep flowing to an added table through the mirror's own stream.
    expect(await arrival("large", -2)).toBeLessThan(10_000);
  }, 360_000);

  it("resyncs a tampered table into a shadow while the others stream; status stays running", async () => {
    await bed.target.query("DELETE FROM public.beta WHERE id % 7 = 0; UPDATE public.beta SET v = 'tampered' WHERE id % 5 = 0; INSERT INTO public.beta VALUES (-99, 'extra')");
    expect(await equal("beta")).toBe(false);
    const load = writeLoad(ALL, 20_000_000);
    const statuses = new Set<string>();
    let stopWatching = false;
    const watching = (async () => {
      while (!stopWatching) {
        statuses.add((await mirror()).status);
        await sleep(100);
      }
    })();
    await resync(bed.catalog.prisma, "grows", { tables: ["public.beta"] });
    expect((await mirror()).tables[1]).toMatchObject({ syncKind: "resync", syncPhase: "queued" });
    await waitFor(async () => (await phaseOf("beta")) !== "queued", 30_000, 50);
    expect(await arrival("alpha", -3)).toBeLessThan(5_000);

    await waitFor(async () => (await phaseOf("beta")) === null, 120_000, 250);
    await load.stop();
    await waitFor(() => allEqual(ALL), 60_000, 500);
    stopWatching = true;
    await watching;
    expect([...statuses]).toEqual(["running"]);
    expect(await syncObjectsLeft()).toBe(0);
    const shadows = await bed.target.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = '_pgferry' AND tablename LIKE 'resync_%'");
    expect(shadows.rows[0].n).toBe(0);
  }, 240_000);

  it("refuses a resync of a table the mirror does not have", async () => {
    const refusal = (body: unknown) => resync(bed.catalog.prisma, "grows", body).then(() => null, (error: { status?: number; message: string }) => error);
    expect(await refusal({ tables: ["public.nope"] })).toMatchObject({ status: 404, message: expect.stringMatching(/no table public.nope/) });
    expect(await refusal({ tables: [] })).toMatchObject({ name: "ZodError" });
  });

  it("adds a table while the worker is killed -9 during its copy and again while it catches up", async () => {
    const load = writeLoad([...ALL, "late"], 30_000_000);
    await sleep(500);
    await addAll([...ALL, "late"]);
    await waitFor(async () => (await phaseOf("late")) === "copying", 30_000, 25);
    // Comparing a table while it is copied would only report the copy: refused, with the reason.
    const refusal = await startVerification(bed.catalog.prisma, "grows", { tables: ["public.late"] }).catch((error: { status?: number; message: string }) => error);
    expect(refusal).toMatchObject({ status: 409, message: expect.stringMatching(/being added or resynced/) });
    await sleep(300);
    await worker.kill9();
    worker = bed.startWorker();
    await waitFor(async () => (await phaseOf("late")) === "catching_up", 120_000, 25);
    await worker.kill9();
    worker = bed.startWorker();
    await waitFor(async () => (await phaseOf("late")) === null, 180_000, 250).catch(async (error) => {
      throw new Error(`${(error as Error).message}\n${await describeMirror(bed.catalog.prisma, "grows")}`);
    });
    await sleep(1_000);
    await load.stop();
    await waitFor(() => allEqual([...ALL, "late"]), 90_000, 500);
    expect((await mirror()).status).toBe("running");
    expect(await syncObjectsLeft()).toBe(0);
  }, 420_000);

  it("pauses while a table catches up and waits for the main stream, then resumes and finishes it", async () => {
    const names = [...ALL, "late", "parked"];
    const load = writeLoad(names, 40_000_000);
    await addAll(names);
    // Once the copy reads the round's snapshot (its slot exists), a transaction holding an xid keeps the
    // round in its handover wait, its stream caught up behind the main stream.
    await waitFor(async () => (await bed.target.query("SELECT 1 FROM pg_stat_progress_copy")).rowCount! > 0, 120_000, 25);
    const blocker = await connect("source", bed.sourceDatabase);
    await blocker.query("BEGIN; INSERT INTO public.alpha VALUES (-500, 'blocker')");
    await waitFor(async () => (await phaseOf("parked")) === "catching_up", 180_000, 25);
    await sleep(1_500);
    await pauseMirror(bed.catalog.prisma, "grows");
    await waitForMirrorStatus(bed.catalog.prisma, "grows", "paused");
    await sleep(2_000);
    await resumeMirror(bed.catalog.prisma, "grows");
    await sleep(1_000);
    await blocker.query("COMMIT");
    await blocker.end();
    await waitFor(async () => (await phaseOf("parked")) === null, 120_000, 250).catch(async (error) => {
      throw new Error(`${(error as Error).message}\n${await describeMirror(bed.catalog.prisma, "grows")}`);
    });
    await load.stop();
    await waitFor(() => allEqual(names), 90_000, 500);
    expect((await mirror()).status).toBe("running");
    expect(await syncObjectsLeft()).toBe(0);
  }, 300_000);
});

/** Issue 14: an initial-copy-only mirror copies added tables (with their indexes) and re-copies a resynced one. */
describe("adding and resyncing tables of a completed initial-copy-only mirror", () => {
  let bed: MirrorTestbed;
  const equal = (name: string) => sameRows(bed.source, bed.target, { schema: "public", name }, COLUMNS);
  const mirror = () => bed.catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "once" }, include: { tables: { orderBy: { position: "asc" } } } });

  beforeAll(async () => {
    bed = await createMirrorTestbed(
      ["first", "second"]
        .map((n) => `CREATE TABLE public.${n} (id bigint PRIMARY KEY, v text); CREATE INDEX ${n}_v ON public.${n} (v); INSERT INTO public.${n} SELECT g, 'x' || g FROM generate_series(1, 20000) g;`)
        .join("\n"),
    );
    bed.startWorker();
    await bed.createMirror({ name: "once", mode: "initial_load_only", tables: [{ source: "public.first" }] });
    await waitForMirrorStatus(bed.catalog.prisma, "once", "completed");
  }, 180_000);

  afterAll(() => bed?.close());

  it("copies an added table with its post-data, then re-copies a tampered one; the mirror stays completed", async () => {
    await editMirror(bed.catalog.prisma, "once", { tables: [{ source: "public.first" }, { source: "public.second" }] });
    await waitFor(async () => (await mirror()).tables[1]?.syncKind === null, 120_000, 250).catch(async (error) => {
      throw new Error(`${(error as Error).message}\n${await describeMirror(bed.catalog.prisma, "once")}`);
    });
    expect(await equal("second")).toBe(true);
    const index = await bed.target.query("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'second_v'");
    expect(index.rows).toHaveLength(1);
    expect((await mirror()).tables[1]).toMatchObject({ status: "done", rowsCopiedAlone: 20000n });

    await bed.target.query("DELETE FROM public.first WHERE id % 3 = 0");
    await resync(bed.catalog.prisma, "once", { tables: ["public.first"] });
    await waitFor(async () => (await mirror()).tables[0].syncKind === null, 120_000, 250);
    expect(await equal("first")).toBe(true);
    expect((await mirror()).status).toBe("completed");
    const shadows = await bed.target.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = '_pgferry' AND tablename LIKE 'resync_%'");
    expect(shadows.rows[0].n).toBe(0);
  }, 240_000);
});
