/**
 * A large source transaction arrives as one run of messages at commit. It must be applied in
 * bounded statements inside one target transaction, without holding the transaction in memory,
 * and committed on the target only at the source commit.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, expectSameData, type Harness, startRun, type TestRun, waitForCatchUp } from "./harness";

const ROWS = 100_000;
/** ~1 kB per row: the transaction is ~100 MB on the wire, well above what the stream may buffer. */
const FILLER = 1_000;

describe("CDC large transactions", () => {
  let h: Harness;
  let run: TestRun;

  beforeAll(async () => {
    h = await createHarness("CREATE TABLE wide (id int PRIMARY KEY, n int, filler text)", ["public.wide"]);
    run = startRun(h, { startLsn: h.slotLsn });
  });

  afterAll(async () => {
    await run?.stop();
    await h?.close();
  });

  it(`applies a ${ROWS.toLocaleString("en")}-row insert and update, each one source transaction, with bounded memory`, async () => {
    // Live memory, not garbage waiting for collection: collect, then measure.
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 300);
    try {
      const started = Date.now();
      await h.source.query(`INSERT INTO wide SELECT g, 0, repeat(md5(g::text), ${Math.round(FILLER / 32)}) FROM generate_series(1, ${ROWS}) g`);
      await waitForCatchUp(h, run, 120_000);
      const insertMs = Date.now() - started;
      const updateStart = Date.now();
      await h.source.query("UPDATE wide SET n = n + 1");
      await waitForCatchUp(h, run, 120_000);
      const updateMs = Date.now() - updateStart;
      console.log(`large transaction: ${ROWS} inserts in ${insertMs} ms, ${ROWS} updates in ${updateMs} ms (source statement included)`);
    } finally {
      clearInterval(sampler);
    }
    await expectSameData(h);
    // Each source transaction became exactly one target transaction.
    const big = run.batches.filter((b) => b.rows >= ROWS);
    expect(big.map((b) => [b.transactions, b.rows])).toEqual([
      [1, ROWS],
      [1, ROWS],
    ]);
    // The transaction is ~100 MB on the wire and more once decoded into strings; the stream
    // queues at most 16 MB of messages, and the applier a few statements of 5,000 rows.
    const grewMb = (peak - baseline) / 1024 / 1024;
    console.log(`large transaction: live heap grew by at most ${grewMb.toFixed(1)} MB`);
    expect(grewMb).toBeLessThan(70);
  });
});
