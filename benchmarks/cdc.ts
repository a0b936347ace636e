import type pg from "pg";
import { createMirror } from "@/lib/web/mirrors/create";
import { resolveSettings } from "@/lib/mirrors/settings";
import { summarizeBatches, type BatchSummary } from "./batches";
import type { Cleanup } from "./cleanup";
import type { BenchConfig } from "./config";
import { type Consumer, nativeConsumer, pgferryConsumer } from "./consumers";
import { NATIVE_DB, SOURCE_DB, SOURCE_PEER } from "./initial-load";
import { type LagSample, type LagSummary, startLagSampler, summarizeLag } from "./lag";
import { sleep } from "@/lib/sleep";
import { accountsChecksum, connect, createDatabase, seconds, waitUntil, withClient, type BenchServer } from "./pg";
import { addPeer, type Pgferry, waitForStatus } from "./pgferry";
import { loadPhases, type LoadPhases } from "./load-phases";
import { cpuMeter, type CpuUse } from "./cpu-meter";
import { runTool } from "./tools";
import { watchPeakRss } from "./process-memory";

const MIRROR = "bench_cdc";
const PGFERRY_DB = "cdc_pgferry";

export interface BulkUpdateResult {
  rows: number;
  /** How long the UPDATE itself ran on the source. */
  statementSeconds: number;
  /** From the COMMIT's return (synchronous_commit = on: flushed) until the target showed the new values. */
  applySeconds: number;
  commitLsn: string;
  /** CPU seconds used between the commit and the target having it, by process (null: not measurable here). */
  cpu: CpuUse;
  /** pgferry only: its batches in that window. */
  batches?: BatchSummary;
}

export interface LoadLagResult {
  tps: number;
  transactions: number;
  /** Lag sampled every second during the load. */
  lag: LagSummary;
  /** The sample taken the moment pgbench exited. */
  lagAtEnd: LagSample;
  /** From pgbench's exit until a marker row written right after it was on the target. */
  catchUpSeconds: number;
  /** CPU seconds used from the load's start until caught up. */
  cpu: CpuUse;
  samples: LagSample[];
  batches?: BatchSummary;
}

export interface ConsumerResult {
  name: Consumer["name"];
  /** Untimed: applying what the consumer missed while the other one was measured. */
  backlogSeconds: number;
  bulk: BulkUpdateResult;
  load: LoadLagResult;
  /** pgferry's worker peak resident memory (MB) during this consumer's UPDATE and pgbench load (paused while native runs). */
  workerPeakRssMb: { bulk: number | null; load: number | null };
}

export interface CdcResult {
  /** pgferry CDC mirror: createMirror until "running" (its initial load included). */
  pgferrySetupSeconds: number;
  /** Where that time went (as for the initial-load-only mirror; no index-build samples here). */
  pgferrySetupPhases: LoadPhases;
  /** pgferry's worker peak resident memory (MB) while it set up the CDC mirror (initial load included). */
  pgferrySetupWorkerPeakRssMb: number | null;
  /** CPU seconds per second that pgferry's worker and catalog use while its CDC mirror streams with no changes. */
  pgferryIdleCpuPerSecond: { worker: number | null; catalog: number | null };
  consumers: ConsumerResult[];
  /** pgferry's worker peak resident memory (MB) while it caught up with what native's turn left it (resumed, both consumers on). */
  pgferryCatchUpWorkerPeakRssMb: number | null;
  /** Both targets equal to the source at the end (checksum of every row). */
  pgferryMatches: boolean;
  nativeMatches: boolean;
}

interface CdcContext {
  cleanup: Cleanup;
  source: BenchServer;
  target: BenchServer;
  ferry: Pgferry;
  config: BenchConfig;
  log: (line: string) => void;
}

/**
 * Issue 5: a pgferry CDC mirror and a native subscription on the same source table, to different
 * target databases, measured one after the other (the other one switched off): a single-transaction
 * UPDATE of 1,000,000 rows, then a pgbench load with lag sampled every second.
 */
export async function runCdcPart(ctx: CdcContext): Promise<CdcResult> {
  const { config, log } = ctx;
  const clients: pg.Client[] = [];
  const open = async (server: BenchServer, database: string, purpose: string) => {
    const client = await connect(server, database, purpose);
    clients.push(client);
    return client;
  };
  try {
    // The writer's commits are flushed when they return, so "committed" means a walsender can send it.
    const writer = await open(ctx.source, SOURCE_DB, "writer");
    await writer.query("SET synchronous_commit = on");
    const watcher = await open(ctx.source, SOURCE_DB, "watch");
    const sampler = await open(ctx.source, SOURCE_DB, "lag");
    const nativeTarget = await open(ctx.target, NATIVE_DB, "native-target");
    const native = nativeConsumer(watcher, nativeTarget, config.timeoutMs);
    await native.disable();

    log("CDC: creating the pgferry CDC mirror (initial load, then streaming)...");
    await createDatabase(ctx.target, PGFERRY_DB);
    await addPeer(ctx.ferry.catalog, "bench_cdc_target", ctx.target, PGFERRY_DB);
    const setupMemory = watchPeakRss(ctx.ferry.worker.pid);
    const setupStarted = Date.now();
    await createMirror(ctx.ferry.catalog, { name: MIRROR, source: SOURCE_PEER, target: "bench_cdc_target", mode: "cdc", tables: [{ source: "public.pgbench_accounts" }] });
    await waitForStatus(ctx.ferry, MIRROR, "running", config.timeoutMs);
    const pgferrySetupSeconds = seconds(setupStarted);
    const pgferrySetupWorkerPeakRssMb = setupMemory.stop();
    const pgferrySetupPhases = await loadPhases(ctx.ferry.catalog, MIRROR, setupStarted, Date.now(), { firstSeenMs: null, lastSeenMs: null });
    const pgferryTarget = await open(ctx.target, PGFERRY_DB, "pgferry-target");
    const pgferry = pgferryConsumer(ctx.ferry, MIRROR, resolveSettings(MIRROR, {}).slotName, watcher, pgferryTarget, config.timeoutMs);
    await waitForMarker(writer, [pgferry], config.timeoutMs);
    const pgferryIdleCpuPerSecond = await idleCpu(watcher, pgferry, IDLE_SAMPLE_MS);

    const consumers: ConsumerResult[] = [];
    for (const [consumer, other] of [
      [pgferry, native],
      [native, pgferry],
    ] as const) {
      await other.disable();
      await consumer.enable();
      const backlogStarted = Date.now();
      await waitForMarker(writer, [consumer], config.timeoutMs);
      const backlogSeconds = seconds(backlogStarted);
      log(`CDC: ${consumer.name} alone: ${config.bulkUpdateRows.toLocaleString("en-US")}-row UPDATE in one transaction...`);
      await settle(ctx, consumer);
      const bulkMemory = watchPeakRss(ctx.ferry.worker.pid);
      const bulk = await bulkUpdate(ctx, writer, consumer);
      const bulkRss = bulkMemory.stop();
      log(`  applied ${bulk.applySeconds.toFixed(1)} s after commit`);
      log(`CDC: ${consumer.name} alone: pgbench -N -c ${config.pgbenchClients} -j ${config.pgbenchThreads} -T ${config.pgbenchSeconds}...`);
      await settle(ctx, consumer);
      const loadMemory = watchPeakRss(ctx.ferry.worker.pid);
      const load = await pgbenchLoad(ctx, writer, sampler, consumer);
      const loadRss = loadMemory.stop();
      log(`  ${load.tps.toFixed(0)} tx/s, lag max ${load.lag.maxSeconds.toFixed(2)} s, caught up ${load.catchUpSeconds.toFixed(2)} s after the load`);
      consumers.push({ name: consumer.name, backlogSeconds, bulk, load, workerPeakRssMb: { bulk: bulkRss, load: loadRss } });
    }

    log("CDC: both consumers on, catching up, comparing both targets with the source...");
    // pgferry's backlog from native's turn (that UPDATE and pgbench load) arrives at full speed.
    const catchUpMemory = watchPeakRss(ctx.ferry.worker.pid);
    await pgferry.enable();
    await native.enable();
    await waitForMarker(writer, [pgferry, native], config.timeoutMs);
    const pgferryCatchUpWorkerPeakRssMb = catchUpMemory.stop();
    const [sourceSum, pgferrySum, nativeSum] = await Promise.all([accountsChecksum(watcher), accountsChecksum(pgferryTarget), accountsChecksum(nativeTarget)]);
    return {
      pgferrySetupSeconds,
      pgferrySetupPhases,
      pgferrySetupWorkerPeakRssMb,
      pgferryIdleCpuPerSecond,
      consumers,
      pgferryCatchUpWorkerPeakRssMb,
      pgferryMatches: JSON.stringify(pgferrySum) === JSON.stringify(sourceSum),
      nativeMatches: JSON.stringify(nativeSum) === JSON.stringify(sourceSum),
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

/** How long pgferry's idle CPU use is measured. */
const IDLE_SAMPLE_MS = 5_000;

/** CPU per second of the worker and the catalog while the mirror streams and nothing changes: the baseline under every CPU figure. */
async function idleCpu(source: pg.Client, consumer: Consumer, ms: number): Promise<CdcResult["pgferryIdleCpuPerSecond"]> {
  const meter = await cpuMeter(source, consumer);
  await sleep(ms);
  const used = await meter.used();
  return { worker: used.worker === null ? null : used.worker / (ms / 1000), catalog: used.catalog === null ? null : used.catalog / (ms / 1000) };
}

/** Same starting point for every measurement: no dead rows from the last one, no dirty buffers. */
async function settle(ctx: CdcContext, consumer: Consumer): Promise<void> {
  await withClient(ctx.source, SOURCE_DB, "settle", (c) => c.query("VACUUM pgbench_accounts").then(() => c.query("CHECKPOINT")));
  await consumer.target.query("VACUUM pgbench_accounts");
  await consumer.target.query("CHECKPOINT");
}

let markers = 0;

/**
 * Writes a marker into row 1's filler on the source and waits until every consumer's target shows
 * it. Commits apply in order, so a visible marker means everything before it was applied too.
 */
async function waitForMarker(writer: pg.Client, consumers: readonly Consumer[], timeoutMs: number): Promise<void> {
  const marker = `bench-marker-${++markers}-${Date.now()}`;
  await writer.query("UPDATE pgbench_accounts SET filler = $1 WHERE aid = 1", [marker]);
  await Promise.all(
    consumers.map((consumer) =>
      waitUntil(
        `${consumer.name} to apply marker ${markers}`,
        async () => {
          consumer.assertAlive();
          return (await consumer.target.query("SELECT 1 FROM pgbench_accounts WHERE aid = 1 AND rtrim(filler) = $1", [marker])).rows.length === 1;
        },
        timeoutMs,
      ),
    ),
  );
}

async function bulkUpdate(ctx: CdcContext, writer: pg.Client, consumer: Consumer): Promise<BulkUpdateResult> {
  const rows = ctx.config.bulkUpdateRows;
  const cpu = await cpuMeter(writer, consumer);
  const started = Date.now();
  await writer.query("BEGIN");
  await writer.query("UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid <= $1", [rows]);
  await writer.query("COMMIT");
  const committed = Date.now();
  const { rows: after } = await writer.query<{ lsn: string; expected: number[] }>(
    "SELECT pg_current_wal_lsn()::text AS lsn, (SELECT array_agg(abalance ORDER BY aid) FROM pgbench_accounts WHERE aid IN (1, $1)) AS expected",
    [rows],
  );
  const expected = JSON.stringify(after[0].expected);
  // The consumer applies the source transaction in one target transaction: its first and last rows tell.
  await waitUntil(
    `${consumer.name} to apply the ${rows}-row UPDATE`,
    async () => {
      consumer.assertAlive();
      const { rows: seen } = await consumer.target.query<{ got: number[] }>("SELECT array_agg(abalance ORDER BY aid) AS got FROM pgbench_accounts WHERE aid IN (1, $1)", [rows]);
      return JSON.stringify(seen[0].got) === expected;
    },
    ctx.config.timeoutMs,
  );
  const applied = Date.now();
  return {
    rows,
    statementSeconds: seconds(started, committed),
    applySeconds: seconds(committed, applied),
    commitLsn: after[0].lsn,
    cpu: await cpu.used(),
    ...(consumer.name === "pgferry" ? { batches: await summarizeBatches(ctx.ferry.catalog, MIRROR, committed, applied) } : {}),
  };
}

async function pgbenchLoad(ctx: CdcContext, writer: pg.Client, sampleClient: pg.Client, consumer: Consumer): Promise<LoadLagResult> {
  const { config } = ctx;
  const cpu = await cpuMeter(writer, consumer);
  const sampler = startLagSampler(sampleClient, consumer.applied);
  try {
    const started = Date.now();
    const output = await runTool(ctx.cleanup, "pgbench", ctx.source, SOURCE_DB, [
      "-n",
      "-N",
      "-c",
      String(config.pgbenchClients),
      "-j",
      String(config.pgbenchThreads),
      "-T",
      String(config.pgbenchSeconds),
      ...(config.pgbenchRate ? ["-R", String(config.pgbenchRate)] : []),
    ]);
    const ended = Date.now();
    const lagAtEnd = await sampler.sampleNow();
    await waitForMarker(writer, [consumer], config.timeoutMs);
    const caughtUp = Date.now();
    const cpuUsed = await cpu.used();
    const samples = await sampler.stop();
    return {
      tps: Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? 0),
      transactions: Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1] ?? 0),
      lag: summarizeLag(samples.filter((s) => s.at < lagAtEnd.at)),
      lagAtEnd,
      catchUpSeconds: seconds(ended, caughtUp),
      cpu: cpuUsed,
      samples,
      ...(consumer.name === "pgferry" ? { batches: await summarizeBatches(ctx.ferry.catalog, MIRROR, started, caughtUp) } : {}),
    };
  } finally {
    // Also when the load fails (e.g. pgbench killed at Ctrl-C): the sampler's client is closed next.
    await sampler.stop().catch(() => {});
  }
}
