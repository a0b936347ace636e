import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestDelete } from "@/lib/web/mirrors/actions";
import { getMirror } from "@/lib/web/mirrors/views";
import { tableChecksum } from "@/tests/support/compare";
import { createMirrorTestbed, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";
import { startSourceWriter } from "@/tests/support/source-writer";
import { waitFor } from "@/tests/support/wait";

/**
 * The initial load end to end: API-level creation, a real worker process taking the mirror,
 * partitions copied as jobs, progress in the catalog, and the target compared with the source.
 */
describe("initial load through the worker", () => {
  let bed: MirrorTestbed;

  beforeAll(async () => {
    bed = await createMirrorTestbed(`
      CREATE SCHEMA "Sales Data";
      CREATE TYPE "Sales Data".mood AS ENUM ('sad', 'ok', 'happy');
      CREATE TABLE "Sales Data"."Order ""Items""" (id bigint PRIMARY KEY, "select" text, mood "Sales Data".mood, amount numeric(12,2), at timestamptz, tags text[]);
      INSERT INTO "Sales Data"."Order ""Items"""
        SELECT g, 'row ' || g, (ARRAY['sad','ok','happy'])[1 + g % 3]::"Sales Data".mood, g * 1.25, '2020-01-01'::timestamptz + g * interval '1 minute', ARRAY['a' || g]
        FROM generate_series(1, 60000) g;
      CREATE TABLE public.accounts (id int PRIMARY KEY, balance bigint NOT NULL);
      INSERT INTO public.accounts SELECT g, 1000 FROM generate_series(1, 2000) g;
      CREATE TABLE public.no_pk (a int, b text);
      INSERT INTO public.no_pk SELECT g % 10, 'dup' FROM generate_series(1, 500) g;
      CREATE TABLE public.empty_one (id uuid PRIMARY KEY, note text);
      ANALYZE;
    `);
    bed.startWorker();
  });

  afterAll(() => bed?.close());

  it("copies every table exactly, reports progress, and ends completed with nothing left on the source", async () => {
    const { catalog, source, target } = bed;
    await bed.createMirror({
      name: "load_once",
      mode: "initial_load_only",
      tables: [
        { source: '"Sales Data"."Order ""Items"""', target: '"Sales Data"."Order ""Items"""', excludeColumns: ["tags"] },
        { source: "public.accounts" },
        { source: "public.no_pk", target: "copies.no_pk" },
        { source: "public.empty_one" },
      ],
      settings: { rowsPerPartition: 5000, parallelCopyWorkers: 3 },
    });
    await waitForMirrorStatus(catalog.prisma, "load_once", "completed");

    const detail = await getMirror(catalog.prisma, "load_once");
    expect(detail.progress.percent).toBe(100);
    expect(detail.progress.averagePartitionMs).toEqual(expect.any(Number));
    const items = detail.tables.find((t) => t.source.includes("Order"));
    expect(items?.partitionsTotal).toBeGreaterThan(1);
    expect(items?.partitionsDone).toBe(items?.partitionsTotal);
    expect(items?.rowsCopied).toBe(60000);
    expect(detail.tables.every((t) => t.status === "done")).toBe(true);
    // Small partitions share copy jobs.
    const started = await catalog.prisma.mirrorEvent.findFirst({ where: { mirror: { name: "load_once" }, message: { startsWith: "Initial load started" } } });
    const [, partitions, jobs] = /in (\d+) partition\(s\) and (\d+) copy job/.exec(started?.message ?? "") ?? [];
    expect(Number(partitions)).toBe(await catalog.prisma.partition.count({ where: { mirror: { name: "load_once" } } }));
    expect(Number(jobs)).toBeGreaterThan(0);
    expect(Number(jobs)).toBeLessThan(Number(partitions));

    const pairs: [{ schema: string; name: string }, { schema: string; name: string }, string[]][] = [
      [{ schema: "Sales Data", name: 'Order "Items"' }, { schema: "Sales Data", name: 'Order "Items"' }, ["id", "select", "mood", "amount", "at"]],
      [{ schema: "public", name: "accounts" }, { schema: "public", name: "accounts" }, ["id", "balance"]],
      [{ schema: "public", name: "no_pk" }, { schema: "copies", name: "no_pk" }, ["a", "b"]],
      [{ schema: "public", name: "empty_one" }, { schema: "public", name: "empty_one" }, ["id", "note"]],
    ];
    for (const [from, to, columns] of pairs) {
      expect(await tableChecksum(target, to, columns), `${from.schema}.${from.name}`).toEqual(await tableChecksum(source, from, columns));
    }
    const excluded = await target.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'Order "Items"' AND column_name = 'tags'`);
    expect(excluded.rows[0].n).toBe(0);
    const leftovers = await source.query("SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pgferry%' AND database = current_database())::int + (SELECT count(*) FROM pg_publication)::int AS n");
    expect(leftovers.rows[0].n).toBe(0);
  });

  it("refuses a target table that already has data, naming it, and creates nothing", async () => {
    const { catalog, target } = bed;
    await target.query("CREATE TABLE public.accounts_taken (id int PRIMARY KEY, balance bigint NOT NULL); INSERT INTO public.accounts_taken VALUES (1, 1)");
    await expect(bed.createMirror({ name: "taken", mode: "initial_load_only", tables: [{ source: "public.accounts", target: "public.accounts_taken" }] })).rejects.toThrow(/accounts_taken/);
    expect(await catalog.prisma.mirror.findUnique({ where: { name: "taken" } })).toBeNull();
  });

  it("copies a consistent snapshot while the source keeps changing", async () => {
    const { catalog, source, target } = bed;
    await source.query("CREATE TABLE public.ledger (id int PRIMARY KEY, balance bigint NOT NULL); INSERT INTO public.ledger SELECT g, 100 FROM generate_series(1, 40000) g; ANALYZE public.ledger");
    await bed.createMirror({ name: "moving", mode: "initial_load_only", tables: [{ source: "public.ledger" }], settings: { rowsPerPartition: 2000, parallelCopyWorkers: 2 } });
    // Transfers keep the total constant; inserts and deletes come in balanced pairs. A target that
    // mixes two points in time would show a different total or an odd count.
    const writer = startSourceWriter(
      bed.sourceDatabase,
      async (client, i) => {
        const a = 1 + ((i * 7919) % 40000);
        const b = 1 + ((i * 104729) % 40000);
        await client.query("BEGIN");
        await client.query("UPDATE public.ledger SET balance = balance - 5 WHERE id = $1", [a]);
        await client.query("UPDATE public.ledger SET balance = balance + 5 WHERE id = $1", [b]);
        await client.query("INSERT INTO public.ledger VALUES ($1, 50), ($2, 50)", [100000 + 2 * i, 100001 + 2 * i]);
        await client.query("DELETE FROM public.ledger WHERE id IN ($1, $2)", [100000 + 2 * i - 2, 100001 + 2 * i - 2]);
        await client.query("COMMIT");
      },
      100_000,
    );
    await waitForMirrorStatus(catalog.prisma, "moving", "completed");
    const transfers = await writer.stop();
    expect(transfers).toBeGreaterThan(0);
    const { rows } = await target.query("SELECT count(*)::int AS n, sum(balance)::bigint AS total FROM public.ledger");
    const extraPairs = (rows[0].n - 40000) / 2;
    expect(Number.isInteger(extraPairs) && extraPairs >= 0 && extraPairs <= 1).toBe(true);
    expect(Number(rows[0].total)).toBe(40000 * 100 + extraPairs * 100);
  });

  it("starts over from a new snapshot when a table is truncated during the load", async () => {
    const { catalog, source, target } = bed;
    await source.query(
      "CREATE TABLE public.shrinking (id int PRIMARY KEY, v text); INSERT INTO public.shrinking SELECT g, md5(g::text) FROM generate_series(1, 50000) g; ANALYZE public.shrinking",
    );
    await bed.createMirror({ name: "truncated", mode: "initial_load_only", tables: [{ source: "public.shrinking" }], settings: { rowsPerPartition: 500, parallelCopyWorkers: 1 } });
    // One lane copies ~100 partitions one by one: the TRUNCATE waits for the copy holding the table,
    // and the next partition finds it rewritten — the snapshot can no longer read it.
    await waitFor(() => catalog.prisma.partition.count({ where: { mirror: { name: "truncated" }, status: "done" } }), 60_000, 50);
    await source.query("TRUNCATE public.shrinking");
    await waitForMirrorStatus(catalog.prisma, "truncated", "completed");

    const mirror = await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "truncated" }, include: { events: true } });
    expect(mirror.loadGeneration).toBe(2);
    const restarted = mirror.events.filter((e) => e.level === "warn" && e.message.includes("no longer available"));
    expect(restarted.map((e) => e.message)).toEqual([expect.stringMatching(/\(table public\.shrinking was truncated or rewritten .*\)\. The load starts over/)]);
    const { rows } = await target.query("SELECT count(*)::int AS n FROM public.shrinking");
    expect(rows[0].n).toBe(0);
  });

  it("builds keys and indexes with the mirror's index build memory", async () => {
    const { catalog, source, target } = bed;
    await source.query(`
      CREATE TABLE public.built_big (id int PRIMARY KEY, code int NOT NULL);
      INSERT INTO public.built_big SELECT g, g % 97 FROM generate_series(1, 20000) g;
      CREATE INDEX built_big_code_idx ON public.built_big (code);
      CREATE TABLE public.built_small (id int PRIMARY KEY, code int NOT NULL);
      INSERT INTO public.built_small SELECT g, g FROM generate_series(1, 50) g;
      CREATE INDEX built_small_code_idx ON public.built_small (code);
      ANALYZE public.built_big, public.built_small;`);
    // Each key and index build on the target records the maintenance_work_mem its session ran with.
    await target.query(`
      CREATE TABLE public.build_memory (tag text, statement text, memory text);
      CREATE FUNCTION public.record_build_memory() RETURNS event_trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO public.build_memory VALUES (tg_tag, current_query(), current_setting('maintenance_work_mem')); END $$;
      CREATE EVENT TRIGGER record_build_memory ON ddl_command_end WHEN TAG IN ('CREATE INDEX', 'ALTER TABLE') EXECUTE FUNCTION public.record_build_memory();`);
    try {
      await bed.createMirror({
        name: "build_memory",
        mode: "initial_load_only",
        tables: [{ source: "public.built_big" }, { source: "public.built_small" }],
        settings: { rowsPerPartition: 5000, indexBuildMemoryMb: 300 },
      });
      await waitForMirrorStatus(catalog.prisma, "build_memory", "completed");
    } finally {
      await target.query("DROP EVENT TRIGGER record_build_memory");
    }
    const { rows } = await target.query<{ statement: string; memory: string }>(
      "SELECT statement, memory FROM public.build_memory WHERE statement ~* 'PRIMARY KEY|CREATE INDEX'",
    );
    const built = (what: RegExp) => rows.filter((r) => what.test(r.statement));
    // Two primary keys and two secondary indexes, whichever path built them (early, at the load's end).
    expect(built(/PRIMARY KEY/i).length).toBe(2);
    expect(built(/CREATE INDEX/i).length).toBe(2);
    expect(new Set(rows.map((r) => r.memory))).toEqual(new Set(["300MB"]));
  });

  it("deletes a completed mirror and its bookkeeping but keeps the target's data", async () => {
    const { catalog, target } = bed;
    await requestDelete(catalog.prisma, "load_once");
    await waitFor(async () => (await catalog.prisma.mirror.findUnique({ where: { name: "load_once" } })) === null, 60_000);
    const { rows } = await target.query("SELECT count(*)::int AS n FROM public.accounts");
    expect(rows[0].n).toBe(2000);
    const bookkeeping = await target.query("SELECT count(*)::int AS n FROM _pgferry.load_partitions WHERE mirror = 'load_once'").catch(() => ({ rows: [{ n: 0 }] }));
    expect(bookkeeping.rows[0].n).toBe(0);
  });
});
