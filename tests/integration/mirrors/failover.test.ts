import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "@/lib/sleep";
import { createMirror } from "@/lib/web/mirrors/create";
import type { TestCatalog } from "@/tests/support/catalog";
import { tableChecksum } from "@/tests/support/compare";
import { connect } from "@/tests/support/databases";
import { createMirrorTestbed, type MirrorTestbed, describeMirror, startWorker, waitForMirrorStatus, type WorkerProcess } from "@/tests/support/pgferry";
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
  let catalog: TestCatalog;
  let source: pg.Client;
  let target: pg.Client;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    bed = await createMirrorTestbed();
    ({ catalog, source, target } = bed);
    await source.query(`
      CREATE TABLE public.accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text);
      INSERT INTO public.accounts SELECT g, 0, null FROM generate_series(1, 5000) g;
    `);
    workers.push(startWorker(catalog.url), startWorker(catalog.url));
  });

  /** Rows that differ between source and target, for the failure message. */
  const difference = async () => {
    const read = async (client: pg.Client) =>
      new Map((await client.query("SELECT id, balance, note FROM public.accounts")).rows.map((r) => [r.id, `${r.balance}/${r.note}`]));
    const [s, t] = await Promise.all([read(source), read(target)]);
    const lines: string[] = [`source rows ${s.size}, target rows ${t.size}`];
    for (const [id, v] of s) if (t.get(id) !== v) lines.push(`id ${id}: source ${v}, target ${t.get(id)}`);
    for (const [id, v] of t) if (!s.has(id)) lines.push(`id ${id}: only on target ${v}`);
    return lines.slice(0, 30).join("\n");
  };

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await bed?.close();
  });

  it("hands the stream to another worker within 30 s, several times, losing and duplicating nothing", async () => {
    await createMirror(catalog.prisma, { name: "failover", source: "src", target: "dst", mode: "cdc", tables: [{ source: "public.accounts" }] });
    await waitForMirrorStatus(catalog.prisma, "failover", "running");

    let writing = true;
    let writes = 0;
    const writer = (async () => {
      const client = await connect("source", source.database as string);
      try {
        for (let i = 0; writing && i < 1_000_000; i++) {
          const id = 1 + ((i * 7919) % 5000);
          await client.query(
            `BEGIN;
             UPDATE public.accounts SET balance = balance + 1, note = 'w${i}' WHERE id = ${id};
             INSERT INTO public.accounts VALUES (${10000 + i}, ${i}, 'new');
             DELETE FROM public.accounts WHERE id = ${10000 + i - 3};
             COMMIT;`,
          );
          writes++;
          if (i % 50 === 0) await sleep(5);
        }
      } finally {
        await client.end();
      }
    })();

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
      workers.push(startWorker(catalog.url));
      // Taken over: another worker owns it and has applied something new.
      await waitFor(async () => {
        const now = await catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "failover" } });
        return now.ownerWorkerId !== owner.id && now.status === "running" && now.lastAppliedLsn !== appliedBefore;
      }, 30_000, 200);
      expect(Date.now() - killedAt).toBeLessThan(30_000);
    }

    writing = false;
    await writer;
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
