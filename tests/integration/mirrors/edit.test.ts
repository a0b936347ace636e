import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLsn } from "@/lib/pg/lsn";
import { sleep } from "@/lib/sleep";
import { editMirror } from "@/lib/web/mirrors/edit";
import { pauseMirror, resumeMirror } from "@/lib/web/mirrors/actions";
import { sameRows } from "@/tests/support/compare";
import { createMirrorTestbed, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";
import { startSourceWriter } from "@/tests/support/source-writer";
import { waitFor } from "@/tests/support/wait";

const NAMES = ["alpha", "beta", "gamma"] as const;
const COLUMNS = ["id", "v"];
/** Rows per source transaction written by the tests: a batch may pass its limit by one transaction less one row. */
const TXN_ROWS = 5;

/** Issue 14, first part: settings of a running CDC mirror and removing tables, through a real worker. */
describe("editing a running mirror", () => {
  let bed: MirrorTestbed;

  const equal = (name: string) => sameRows(bed.source, bed.target, { schema: "public", name }, COLUMNS);
  const mirror = () => bed.catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "edited" }, include: { tables: { orderBy: { position: "asc" } } } });
  const eventCount = async (text: string) => bed.catalog.prisma.mirrorEvent.count({ where: { mirror: { name: "edited" }, message: { contains: text } } });
  const sourceLsn = async () => parseLsn((await bed.source.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")).rows[0].lsn);
  /** One TXN_ROWS-row transaction on one of `tables`. */
  const writeRound = async (client: pg.ClientBase, tables: readonly string[], offset: number, i: number) => {
    const table = tables[i % tables.length];
    const id = offset + i * TXN_ROWS;
    await client.query(
      `BEGIN; INSERT INTO public.${table} SELECT g, 'w' FROM generate_series(${id}, ${id + TXN_ROWS - 2}) g;
       UPDATE public.${table} SET v = 'u${i}' WHERE id = ${1 + (i % 1000)}; COMMIT;`,
    );
  };
  /** Rounds in the background until stopped. */
  const writeLoad = (tables: readonly string[], offset: number) =>
    startSourceWriter(bed.sourceDatabase, (client, i) => writeRound(client, tables, offset, i), 100_000);
  /** Rounds now, while the mirror is paused: a backlog the next session reads as fast as it can. */
  const writeBacklog = async (offset: number, rounds: number) => {
    for (let i = 0; i < rounds; i++) await writeRound(bed.source, NAMES, offset, i);
  };

  beforeAll(async () => {
    bed = await createMirrorTestbed(
      NAMES.map((n) => `CREATE TABLE public.${n} (id int PRIMARY KEY, v text); INSERT INTO public.${n} SELECT g, 'x' FROM generate_series(1, 2000) g;`).join("\n"),
    );
    bed.startWorker();
    await bed.createMirror({ name: "edited", mode: "cdc", tables: NAMES.map((n) => ({ source: `public.${n}` })), settings: { cdcBatchSize: 10_000 } });
    await waitForMirrorStatus(bed.catalog.prisma, "edited", "running");
  });

  afterAll(() => bed?.close());

  it("refuses what cannot change with 409 and the reason", async () => {
    const prisma = bed.catalog.prisma;
    const refusal = (input: unknown) => editMirror(prisma, "edited", input).then(() => null, (error: { status?: number; message: string }) => error);
    expect(await refusal({ mode: "initial_load_only" })).toMatchObject({ status: 409, message: expect.stringMatching(/mode of a mirror cannot change/) });
    expect(await refusal({ name: "other" })).toMatchObject({ status: 409 });
    expect(await refusal({ target: "src" })).toMatchObject({ status: 409 });
    expect(await refusal({ settings: { slotName: "another" } })).toMatchObject({ status: 409, message: expect.stringMatching(/slotName cannot change/) });
    // Added tables get the creation checks, at their index in the list.
    const missing = await refusal({ tables: [...NAMES, "newcomer"].map((n) => ({ source: `public.${n}` })) });
    expect(missing).toMatchObject({ status: 400, code: "table_not_found", message: expect.stringMatching(/newcomer/) });
    await bed.source.query("CREATE TABLE public.keyless (v text)");
    const keyless = await refusal({ tables: [...NAMES, "keyless"].map((n) => ({ source: `public.${n}` })) });
    expect(keyless).toMatchObject({ code: "table_not_replicable", fields: { "tables.3.source": expect.stringMatching(/REPLICA IDENTITY FULL/) } });
    await bed.target.query("CREATE TABLE public.occupied (id int PRIMARY KEY); INSERT INTO public.occupied VALUES (1)");
    await bed.source.query("CREATE TABLE public.occupied (id int PRIMARY KEY)");
    const occupied = await refusal({ tables: [{ source: "public.occupied" }, ...NAMES.map((n) => ({ source: `public.${n}` }))] });
    expect(occupied).toMatchObject({ code: "target_not_ready", fields: { "tables.0.target": expect.stringMatching(/occupied/) } });
    expect((await mirror()).tables).toHaveLength(3);
    expect(await refusal({ settings: { cdcBatchSize: 0 } })).toMatchObject({ name: "ZodError" });
    expect(await refusal({ tables: [] })).toMatchObject({ name: "ZodError" });
    // The same values are not a change: nothing is restarted.
    await editMirror(prisma, "edited", { name: "edited", mode: "cdc", tables: NAMES.map((n) => ({ source: `public.${n}` })), settings: { cdcBatchSize: 10_000 } });
    expect((await mirror()).tables.map((t) => t.status)).toEqual(["done", "done", "done"]);
  });

  it("applies a new batch size to the running session, which keeps every change", async () => {
    const prisma = bed.catalog.prisma;
    // A backlog makes large batches under the old setting: written while paused, applied on resume.
    await pauseMirror(prisma, "edited");
    await waitFor(async () => (await eventCount("Replication stopped")) > 0, 20_000);
    await writeBacklog(100_000, 400);
    await resumeMirror(prisma, "edited");
    await waitFor(async () => (await Promise.all(NAMES.map(equal))).every(Boolean), 60_000, 500);
    const before = await prisma.cdcBatch.aggregate({ where: { mirror: { name: "edited" } }, _max: { rows: true } });
    expect(before._max.rows).toBeGreaterThan(20 + TXN_ROWS);

    const load = writeLoad(NAMES, 200_000);
    await sleep(1_000);
    const sessions = await eventCount("Continuous replication started");
    await editMirror(prisma, "edited", { settings: { cdcBatchSize: 20, cdcMaxBatchLatencyMs: 200 } });
    await waitFor(async () => (await eventCount("Batch settings applied to the running session")) > 0, 20_000);
    const from = await sourceLsn();
    await sleep(3_000);
    await load.stop();
    // A second backlog after the change: the new session must cut it into small batches.
    await pauseMirror(prisma, "edited");
    await waitFor(async () => (await eventCount("Replication stopped")) > 1, 20_000);
    await writeBacklog(700_000, 400);
    await resumeMirror(prisma, "edited");
    await waitFor(async () => (await Promise.all(NAMES.map(equal))).every(Boolean), 60_000, 500);

    const after = (await prisma.cdcBatch.findMany({ where: { mirror: { name: "edited" } } })).filter((b) => parseLsn(b.firstLsn) >= from);
    expect(after.length).toBeGreaterThan(20);
    // Applied live: the only new sessions are the pause's resume.
    expect(await eventCount("Continuous replication started")).toBe(sessions + 1);
    expect(Math.max(...after.map((b) => b.rows))).toBeLessThanOrEqual(20 + TXN_ROWS - 1);
    const settings = (await mirror()).settings as Record<string, unknown>;
    expect(settings).toMatchObject({ cdcBatchSize: 20, cdcMaxBatchLatencyMs: 200 });
    expect((await mirror()).status).toBe("running");
    // Back to batches the catalog's progress writes keep up with under the next tests' load.
    await editMirror(prisma, "edited", { settings: { cdcBatchSize: 2_000 } });
    await waitFor(async () => (await eventCount("Batch settings applied to the running session")) > 1, 30_000);
  });

  it("removes a table under a write load: its later changes are not applied, the others continue", async () => {
    const prisma = bed.catalog.prisma;
    const load = writeLoad(NAMES, 1_000_000);
    await sleep(1_500);
    await editMirror(prisma, "edited", { tables: [{ source: "public.alpha" }, { source: "public.gamma" }] });
    // The session ends at a commit after its progress reports are written: under a loaded machine that takes a while.
    await waitFor(async () => (await eventCount("Removed from publication")) > 0, 90_000);
    const published = await bed.source.query("SELECT tablename FROM pg_publication_tables WHERE pubname = 'pgferry_edited' ORDER BY 1");
    expect(published.rows.map((r) => r.tablename)).toEqual(["alpha", "gamma"]);

    // Changes to beta from now on: none may arrive.
    await bed.source.query("INSERT INTO public.beta VALUES (-1, 'after removal'); UPDATE public.beta SET v = 'after removal' WHERE id = 2");
    await sleep(3_000);
    await load.stop();
    await bed.source.query("INSERT INTO public.alpha VALUES (-1, 'last'); INSERT INTO public.gamma VALUES (-1, 'last')");
    await waitFor(async () => (await equal("alpha")) && (await equal("gamma")), 60_000, 500);
    const beta = await bed.target.query("SELECT count(*) FILTER (WHERE v = 'after removal')::int AS late, count(*)::int AS n FROM public.beta");
    expect(beta.rows[0].late).toBe(0);
    expect(beta.rows[0].n).toBeGreaterThan(2000);
    expect(await equal("beta")).toBe(false);

    const row = (await mirror()).tables.find((t) => t.sourceTable === "beta")!;
    expect(row).toMatchObject({ status: "removed", dropTarget: false });
    expect(row.removedAt).not.toBeNull();
    expect(Number(row.inserts)).toBeGreaterThan(0);
    expect((await mirror()).status).toBe("running");
  });

  it("drops the target table of a removed table when asked, and keeps replicating the rest", async () => {
    const prisma = bed.catalog.prisma;
    await editMirror(prisma, "edited", { tables: [{ source: "public.alpha" }], dropTargetTables: true });
    await waitFor(async () => (await eventCount("Dropped target table")) > 0, 30_000);
    const gone = await bed.target.query("SELECT to_regclass('public.gamma') IS NULL AS gone, to_regclass('public.beta') IS NULL AS beta_gone");
    expect(gone.rows[0]).toEqual({ gone: true, beta_gone: false });
    await bed.source.query("INSERT INTO public.alpha VALUES (-2, 'still flowing'); INSERT INTO public.gamma VALUES (-2, 'not mirrored')");
    await waitFor(() => equal("alpha"), 30_000, 500);
    expect((await mirror()).tables.map((t) => t.status)).toEqual(["done", "removed", "removed"]);
  });
});
