import { mkdir, writeFile } from "node:fs/promises";
import type pg from "pg";
import { type Api, waitForApiStatus } from "./api";
import { formatTrace, startActivityTrace } from "./activity-trace";
import type { Cleanup } from "./cleanup";
import { watchIndexBuilds, type IndexBuildWindow } from "./index-watch";
import { createNativePublication, createNativeSubscription, nativeTablesReady } from "./native";
import { accountsChecksum, createDatabase, dropDatabase, hasPrimaryKey, seconds, waitUntil, withClient, type BenchServer, type TableChecksum } from "./pg";
import { addPeer, type Pgferry } from "./pgferry";
import { stepSeconds, watchPhases } from "./phase-watch";
import { processCpuSeconds } from "./process-cpu";
import { watchPeakRss } from "./process-memory";
import { type VerificationResult, verifyMirror } from "./verification";
import { combinedPhases, loadPhases, type LoadPhases, type PhaseLine } from "./load-phases";
import { dumpInto, pipeInto } from "./tools";

export const SOURCE_DB = "bench";
export const SOURCE_PEER = "bench_source";
/** The target database the native method loads; the CDC part keeps its subscription running. */
export const NATIVE_DB = "load_native";
/** The label of loadWithBinaryPipe's results. */
export const FLOOR_METHOD = "floor: binary COPY pipe + key, no tool";

export interface LoadResult {
  /** "pgferry", "pg_dump | psql", FLOOR_METHOD, "native logical replication", or "pgferry <settings>" for a variant. */
  method: string;
  /** Which run of the method this is (BENCH_ROUNDS); variants and native run once. */
  round: number;
  seconds: number;
  rows: number;
  checksumMatches: boolean;
  primaryKey: boolean;
  /** Seconds spent building indexes on the target, as sampled from pg_stat_progress_create_index (null: none seen). */
  indexBuildSeconds: number | null;
  /** pgferry only: where its time went. */
  phases?: LoadPhases;
  /** pgferry only: each phase with the worker's peak RSS in it. */
  phaseLines?: PhaseLine[];
  /** pgferry only: CPU seconds the worker process (one JS thread doing the piping) used during the load. */
  workerCpuSeconds?: number | null;
  /** pgferry only: peak resident memory of the worker process during the load (MB). */
  workerPeakRssMb?: number | null;
  /** pgferry's default run only: a verification run of the loaded mirror (issue 11). */
  verification?: VerificationResult;
}

export interface LoadContext {
  cleanup: Cleanup;
  source: BenchServer;
  target: BenchServer;
  ferry: Pgferry;
  catalogUrl: string;
  sourceChecksum: TableChecksum;
  timeoutMs: number;
  nativeStreaming: "off" | "on";
  api: Api;
  /** pgferry's copy lanes and index builds (BENCH_JOBS); a variant's settings win. */
  jobs: number;
}

/**
 * (a) pgferry: POST /api/v1/mirrors "initial_load_only", until GET says "completed". Default settings
 * unless `variant` gives some (BENCH_LOAD_VARIANTS: extra runs to see what the settings change).
 * The first default run is also verified by pgferry (issue 11); later rounds are not.
 */
export async function loadWithPgferry(ctx: LoadContext, variant?: { index: number; settings: Record<string, number> }, round = 1): Promise<LoadResult> {
  const suffix = variant ? `_v${variant.index}` : round > 1 ? `_r${round}` : "";
  const [database, mirror, peer] = [`load_pgferry${suffix}`, `bench_load${suffix}`, `bench_load_target${suffix}`];
  await prepare(ctx, database);
  await addPeer(ctx.ferry.catalog, peer, ctx.target, database);
  const watch = await watchIndexBuilds(ctx.target, database);
  const trace = process.env.BENCH_TRACE ? await startActivityTrace({ source: ctx.source.url(), target: ctx.target.url(), catalog: ctx.catalogUrl }) : null;
  const cpuBefore = processCpuSeconds(ctx.ferry.worker.pid);
  const memory = watchPeakRss(ctx.ferry.worker.pid);
  const phases = watchPhases(ctx.ferry.catalog, mirror, ctx.ferry.worker.pid);
  const started = Date.now();
  // The user's path: POST /api/v1/mirrors, then GET /api/v1/mirrors/{name} until `completed` (benchmarks/api.ts).
  await ctx.api.createMirror({
    name: mirror,
    source: SOURCE_PEER,
    target: peer,
    mode: "initial_load_only",
    tables: [{ source: "public.pgbench_accounts" }],
    settings: { parallelCopyWorkers: ctx.jobs, parallelIndexBuilds: ctx.jobs, ...variant?.settings },
  });
  await waitForApiStatus(ctx.api, ctx.ferry, mirror, "completed", ctx.timeoutMs);
  const finished = Date.now();
  const steps = stepSeconds(await phases.stop());
  const cpuAfter = processCpuSeconds(ctx.ferry.worker.pid);
  const workerPeakRssMb = memory.stop();
  const window = await watch.stop();
  if (trace) {
    // Started just before createMirror, so its times are (nearly) seconds since the create.
    await mkdir(".bench", { recursive: true });
    await writeFile(`.bench/trace-${mirror}.txt`, `${formatTrace(await trace.stop())}\n`);
  }
  const label = variant ? `pgferry ${Object.entries(variant.settings).map(([k, v]) => `${k}=${v}`).join(" ")}` : "pgferry";
  const result = await verify(ctx, database, label, seconds(started, finished), window, round);
  result.phases = await loadPhases(ctx.ferry.catalog, mirror, started, finished, window);
  result.phaseLines = combinedPhases(result.phases, steps);
  result.workerCpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  result.workerPeakRssMb = workerPeakRssMb;
  // The default run is also verified, row by row, by pgferry itself: throughput and memory beside the copy's.
  if (!variant && round === 1) result.verification = await verifyMirror(ctx.ferry.catalog, mirror, ctx.ferry.worker.pid, ctx.timeoutMs);
  await dropDatabase(ctx.target, database);
  return result;
}

/** (b) `pg_dump -t pgbench_accounts | psql` into an empty database: table, rows, then the primary key build. */
export async function loadWithPgDump(ctx: LoadContext, round = 1): Promise<LoadResult> {
  const database = "load_dump";
  await prepare(ctx, database);
  const watch = await watchIndexBuilds(ctx.target, database);
  const started = Date.now();
  await dumpInto(ctx.cleanup, ctx.source, SOURCE_DB, ["-t", "pgbench_accounts"], ctx.target, database);
  const finished = Date.now();
  const result = await verify(ctx, database, "pg_dump | psql", seconds(started, finished), await watch.stop(), round);
  await dropDatabase(ctx.target, database);
  return result;
}

/**
 * (c) What these servers need for this table whatever tool drives them — the floor: the table from
 * pg_dump's pre-data section (untimed), then, timed, `psql -c "COPY … TO STDOUT (FORMAT binary)" |
 * psql -c "COPY … FROM STDIN (FORMAT binary)"` (one stream, no parsing, no bookkeeping) and the
 * post-data section (the primary key). Beside the judged loads it shows how much of each tool's time
 * is the servers' own work; it is never judged itself.
 */
export async function loadWithBinaryPipe(ctx: LoadContext, round = 1): Promise<LoadResult> {
  const database = "load_floor";
  await prepare(ctx, database);
  const table = ["-t", "pgbench_accounts"];
  await dumpInto(ctx.cleanup, ctx.source, SOURCE_DB, [...table, "--section=pre-data"], ctx.target, database);
  const watch = await watchIndexBuilds(ctx.target, database);
  const started = Date.now();
  const copyOut = ["-X", "-c", "COPY public.pgbench_accounts TO STDOUT (FORMAT binary)"];
  await pipeInto(ctx.cleanup, { tool: "psql", server: ctx.source, database: SOURCE_DB, args: copyOut }, ctx.target, database, ["-c", "COPY public.pgbench_accounts FROM STDIN (FORMAT binary)"]);
  await dumpInto(ctx.cleanup, ctx.source, SOURCE_DB, [...table, "--section=post-data"], ctx.target, database);
  const finished = Date.now();
  const result = await verify(ctx, database, FLOOR_METHOD, seconds(started, finished), await watch.stop(), round);
  await dropDatabase(ctx.target, database);
  return result;
}

/**
 * (d) Native initial sync: the table (with its primary key) is created first, untimed, as
 * native replication requires; timed from CREATE PUBLICATION until pg_subscription_rel says 'r'.
 * The subscription stays for the CDC part.
 */
export async function loadWithNative(ctx: LoadContext): Promise<LoadResult> {
  await prepare(ctx, NATIVE_DB);
  await dumpInto(ctx.cleanup, ctx.source, SOURCE_DB, ["-t", "pgbench_accounts", "--schema-only"], ctx.target, NATIVE_DB);
  const watch = await watchIndexBuilds(ctx.target, NATIVE_DB);
  const started = Date.now();
  await withClient(ctx.source, SOURCE_DB, "native-setup", createNativePublication);
  await withClient(ctx.target, NATIVE_DB, "native-setup", async (target) => {
    await createNativeSubscription(target, ctx.source, SOURCE_DB, ctx.nativeStreaming);
    await waitUntil("the native subscription's initial sync", () => nativeTablesReady(target), ctx.timeoutMs, 100);
  });
  const finished = Date.now();
  return verify(ctx, NATIVE_DB, "native logical replication", seconds(started, finished), await watch.stop());
}

/** A fresh target database, and no dirty buffers left from the previous method on either server. */
async function prepare(ctx: LoadContext, database: string): Promise<void> {
  await createDatabase(ctx.target, database);
  await Promise.all([ctx.source, ctx.target].map((server) => withClient(server, "postgres", "checkpoint", (c: pg.Client) => c.query("CHECKPOINT"))));
}

async function verify(ctx: LoadContext, database: string, method: string, elapsed: number, window: IndexBuildWindow, round = 1): Promise<LoadResult> {
  return withClient(ctx.target, database, "verify", async (client) => {
    const [sum, primaryKey] = await Promise.all([accountsChecksum(client), hasPrimaryKey(client)]);
    return {
      method,
      round,
      seconds: elapsed,
      rows: sum.rows,
      checksumMatches: sum.rows === ctx.sourceChecksum.rows && sum.hash === ctx.sourceChecksum.hash,
      primaryKey,
      indexBuildSeconds: window.firstSeenMs === null ? null : seconds(window.firstSeenMs, window.lastSeenMs!),
    };
  });
}
