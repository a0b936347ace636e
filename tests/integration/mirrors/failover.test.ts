import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "@/lib/sleep";
import { tableChecksum } from "@/tests/support/compare";
import { createMirrorTestbed, type MirrorTestbed, describeMirror, waitForMirrorStatus, type WorkerProcess } from "@/tests/support/pgferry";
import { startSourceWriter } from "@/tests/support/source-writer";
import { waitFor } from "@/tests/support/wait";

const TABLE = { schema: "public", name: "accounts" };
const COLUMNS = ["id", "balance", "note"];

/**
 * Two workers share a catalog; the one streaming a CDC mirror is killed with -9 at random
 * moments while the source keeps writing. Another worker must take over within 30 s, and once
 * caught up the target must equal the source: nothing lost, nothing applied twice.
 */
describe("CDC failover between workers", () => {
  let bed: MirrorTestbed;
  /** The workers not killed yet, among which to find the mirror's owner (the testbed stops them all at the end). */
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    bed = await createMirrorTestbed(`
      CREATE TABLE public.accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text);
      INSERT INTO public.accounts SELECT g, 0, null FROM generate_series(1, 5000) g;
    `);
    workers.push(bed.startWorker(), bed.startWorker());
  });

  /** Rows that differ between source and target, for the failure message. */
  const difference = async () => {
    const { source, target } = bed;
    const read = async (client: pg.Client) =>
      new Map((await client.query("SELECT id, balance, note FROM public.accounts")).rows.map((r) => [r.id, `${r.balance}/${r.note}`]));
    const [s, t] = await Promise.all([read(source), read(target)]);
    const lines: string[] = [`source rows ${s.size}, target rows ${t.size}`];
    for (const [id, v] of s) if (t.get(id) !== v) lines.push(`id ${id}: source ${v}, target ${t.get(id)}`);
    for (const [id, v] of t) if (!s.has(id)) lines.push(`id ${id}: only on target ${v}`);
    return lines.slice(0, 30).join("\n");
  };

  afterAll(() => bed?.close());

  it("hands the stream to another worker within 30 s, several times, losing and duplicating nothing", async () => {
    const { catalog, source, target } = bed;
    await bed.createMirror({ name: "failover", mode: "cdc", tables: [{ source: "public.accounts" }] });
    await waitForMirrorStatus(catalog.prisma, "failover", "running");

    const writer = startSourceWriter(
      bed.sourceDatabase,
      async (client, i) => {
        const id = 1 + ((i * 7919) % 5000);
        await client.query(
          `BEGIN;
           UPDATE public.accounts SET balance = balance + 1, note = 'w${i}' WHERE id = ${id};
           INSERT INTO public.accounts VALUES (${10000 + i}, ${i}, 'new');
           DELETE FROM public.accounts WHERE id = ${10000 + i - 3};
           COMMIT;`,
        );
        if (i % 50 === 0) await sleep(5);
      },
      1_000_000,
    );

    for (let round = 0; round < 3; round++) {
      await sleep(1500 + Math.random() * 3000);
      const mirror = await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "failover" } });
      const owner = await catalog.prisma.worker.findUniqueOrThrow({ where: { id: mirror.ownerWorkerId! } });
      const victim = workers.find((w) => w.child.pid === owner.pid)!;
      expect(victim, "the owner is one of our workers").toBeDefined();
      const appliedBefore = mirror.lastAppliedLsn;
      await victim.kill9();
      const killedAt = Date.now();
      workers.splice(workers.indexOf(victim), 1);
      workers.push(bed.startWorker());
      // Taken over: another worker owns it and has applied something new.
      await waitFor(async () => {
        const now = await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "failover" } });
        return now.ownerWorkerId !== owner.id && now.status === "running" && now.lastAppliedLsn !== appliedBefore;
      }, 30_000, 200);
      expect(Date.now() - killedAt).toBeLessThan(30_000);
    }

    const writes = await writer.stop();
    expect(writes).toBeGreaterThan(100);
    await waitFor(
      async () => JSON.stringify(await tableChecksum(source, TABLE, COLUMNS)) === JSON.stringify(await tableChecksum(target, TABLE, COLUMNS)),
      60_000,
      500,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await difference()}\n${await describeMirror(catalog.prisma, "failover")}`);
    });
    const { rows } = await source.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE application_name LIKE 'pgferry:cdc:failover%'");
    expect(rows[0].n).toBeLessThanOrEqual(1);
  }, 240_000);
});
