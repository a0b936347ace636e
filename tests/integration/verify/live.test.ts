import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorTestbed, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";
import { outcome, verifyAndWait } from "./helpers";
import { sleep } from "@/lib/sleep";

/** Replication slots are cluster-wide and every test file shares the source server: this name is used by no other test. */
const MIRROR = "verify_live";

/**
 * Verification of a CDC mirror while the source keeps changing: no false alarm under inserts,
 * updates, deletes and key updates; then every planted difference found with its key and kind.
 * Writes touch keys up to 3,001 and above 50,000 (and bag rows with a >= 500); differences are planted elsewhere.
 */
describe("verifying a live CDC mirror", () => {
  let bed: MirrorTestbed;
  let writing: Promise<void> | undefined;
  let stopWriting = false;

  async function writeContinuously() {
    let i = 0;
    while (!stopWriting) {
      const id = 1 + ((i * 37) % 3000);
      await bed.source.query(
        `BEGIN;
         INSERT INTO public.items VALUES (${100000 + i}, 'new', ${i});
         UPDATE public.items SET qty = qty + 1 WHERE id = ${id};
         DELETE FROM public.items WHERE id = ${1 + ((i * 101) % 3000)};
         UPDATE public.items SET id = ${200000 + i} WHERE id = ${1 + ((i * 53) % 3000)};
         UPDATE public.orders SET note = note || '+' WHERE id = ${id};
         INSERT INTO public.accounts VALUES ('eu', ${50000 + i}, ${i}, 'secret');
         UPDATE public.accounts SET balance = balance + 1 WHERE region = 'us' AND id = ${id};
         INSERT INTO public.bag VALUES (${500 + (i % 50)}, 'w');
         DELETE FROM public.bag WHERE ctid = (SELECT ctid FROM public.bag WHERE a = ${500 + ((i + 25) % 50)} LIMIT 1);
         COMMIT;`,
      );
      i++;
      await sleep(20);
    }
  }

  beforeAll(async () => {
    bed = await createMirrorTestbed(`
      CREATE TABLE public.items (id int PRIMARY KEY, name text, qty int);
      INSERT INTO public.items SELECT g, 'item ' || g, g FROM generate_series(1, 12000) g;
      CREATE TABLE public.orders (id bigint PRIMARY KEY, note text, amount numeric(12,2),
        total numeric GENERATED ALWAYS AS (amount * 2) STORED);
      INSERT INTO public.orders SELECT g, 'order ' || g, g / 7.0 FROM generate_series(1, 8000) g;
      CREATE TABLE public.accounts (region text, id int, balance numeric, secret text, PRIMARY KEY (region, id));
      INSERT INTO public.accounts SELECT CASE WHEN g % 2 = 0 THEN 'us' ELSE 'eu' END, g, g, 'hidden ' || g FROM generate_series(1, 8000) g;
      CREATE TABLE public.bag (a int, b text);
      ALTER TABLE public.bag REPLICA IDENTITY FULL;
      INSERT INTO public.bag SELECT g % 100, 'dup' FROM generate_series(1, 1000) g;
      INSERT INTO public.bag SELECT 500 + g % 50, 'w' FROM generate_series(1, 200) g;
      ANALYZE;
    `);
    bed.startWorker();
    await bed.createMirror({
      name: MIRROR,
      mode: "cdc",
      tables: [
        { source: "public.items" },
        { source: "public.orders", target: "public.orders_copy" },
        { source: "public.accounts", excludeColumns: ["secret"] },
        { source: "public.bag" },
      ],
    });
    await waitForMirrorStatus(bed.catalog.prisma, MIRROR, "running");
    writing = writeContinuously();
  });

  afterAll(async () => {
    stopWriting = true;
    await writing?.catch(() => {});
    await bed?.close();
  });

  it("passes under a continuous write load, every table equal", { timeout: 420_000 }, async () => {
    const run = await verifyAndWait(bed.catalog.prisma, MIRROR);
    expect(run.status, JSON.stringify(outcome(run))).toBe("passed");
    expect(run.tables.map((t) => [t.source, t.target, t.status])).toEqual([
      ["public.items", "public.items", "equal"],
      ["public.orders", "public.orders_copy", "equal"],
      ["public.accounts", "public.accounts", "equal"],
      ["public.bag", "public.bag", "equal"],
    ]);
    expect(run.progress.rowsCompared).toBeGreaterThanOrEqual(29_000);
    expect(run.progress.tablesDone).toBe(4);
    expect(run.tables.every((t) => t.chunksDone >= 1 && t.examples.length === 0)).toBe(true);
  });

  it("names exactly the three tables changed on the target, with key and kind", { timeout: 420_000 }, async () => {
    await bed.target.query(`
      UPDATE public.items SET name = 'tampered' WHERE id = 6001;
      DELETE FROM public.orders_copy WHERE id = 6002;
      INSERT INTO public.accounts VALUES ('zz', 999999, 1);
    `);
    const run = await verifyAndWait(bed.catalog.prisma, MIRROR);
    expect(run.status).toBe("failed");
    const result = outcome(run);
    expect(result["public.items"]).toMatchObject({ status: "different", differences: 1, examples: [{ kind: "changed", key: { id: "6001" } }] });
    expect(result["public.orders"]).toMatchObject({ status: "different", differences: 1, examples: [{ kind: "missing", key: { id: "6002" } }] });
    expect(result["public.accounts"]).toMatchObject({
      status: "different",
      differences: 1,
      examples: [{ kind: "extra", key: { region: "zz", id: "999999" } }],
    });
    expect(result["public.bag"].status).toBe("equal");
  });

  it("finds one of several identical rows removed from a table without a key", { timeout: 420_000 }, async () => {
    await bed.target.query("DELETE FROM public.bag WHERE ctid = (SELECT ctid FROM public.bag WHERE a = 7 LIMIT 1)");
    const run = await verifyAndWait(bed.catalog.prisma, MIRROR, ["public.bag"]);
    expect(run.status).toBe("failed");
    expect(run.tables).toHaveLength(1);
    expect(run.tables[0]).toMatchObject({ source: "public.bag", status: "different", differences: 1, examples: [{ kind: "missing", key: { a: "7", b: "dup" } }] });
    expect(run.tables[0].sourceRows - run.tables[0].targetRows).toBe(1);
  });
});
