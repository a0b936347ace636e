/**
 * CDC benchmark: pgferry's CDC engine against native logical replication (CREATE SUBSCRIPTION),
 * side by side on the same two throwaway servers (system PostgreSQL 15 by default, like the
 * figures in DESIGN-NOTES; BENCH_PG=18 uses the embedded PostgreSQL 18).
 *
 *   npx tsx tests/integration/cdc/bench.ts            # scale 10 (1,000,000 rows), 30 s load at 4,800 tx/s
 *   BENCH_SCALE=1 BENCH_SECONDS=10 npx tsx tests/integration/cdc/bench.ts
 *   BENCH_MODE=sequential ...   # each consumer alone instead of side by side
 *   BENCH_ONLY=pgferry ...      # one consumer only (e.g. with node --cpu-prof --import tsx)
 *
 * 1. One UPDATE of every pgbench_accounts row in one transaction; time from its commit until the
 *    target has applied it.
 * 2. pgbench single-row UPDATE transactions at BENCH_RATE tx/s for BENCH_SECONDS; replication lag
 *    sampled every 100 ms (time since the source was at the position the target has applied).
 *
 * Not a test: run by hand, it prints a table. Each consumer runs alone while measured.
 */
import { execFile as execFileCb } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import type { PeerConnection } from "@/lib/pg/connection";
import { type Lsn, parseLsn } from "@/lib/pg/lsn";
import { sleep } from "@/lib/sleep";
import { readProgress } from "@/workers/cdc/progress";
import { startCdc } from "@/workers/cdc/stream";
import { startCluster, type TestCluster } from "@/tests/support/clusters";
import { pg15BinDir } from "@/lib/pg/throwaway-server";
import { startPg15 } from "@/tests/support/pg15";

const execFile = promisify(execFileCb);
const SCALE = Number(process.env.BENCH_SCALE ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 4800);

async function client(cluster: TestCluster, database: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: cluster.url(database) });
  await c.connect();
  return c;
}

function peer(cluster: TestCluster, database: string): PeerConnection {
  return { host: cluster.host, port: cluster.port, database, user: cluster.user, password: cluster.password, tlsMode: "disable" };
}

async function pgbench(cluster: TestCluster, database: string, args: string[]): Promise<string> {
  const { stdout, stderr } = await execFile(path.join(pg15BinDir(), "pgbench"), ["-h", cluster.host, "-p", String(cluster.port), "-U", cluster.user, ...args, database], {
    env: { ...process.env, PGPASSWORD: cluster.password },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout + stderr;
}

/** Source position, made durable so a walsender can read up to it (the servers commit asynchronously). */
async function flushedInsertLsn(source: pg.Client): Promise<Lsn> {
  const { rows } = await source.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn");
  await source.query("BEGIN; SET LOCAL synchronous_commit = on; SELECT pg_current_xact_id(); COMMIT");
  return parseLsn(rows[0].lsn);
}

async function waitUntil(applied: () => Promise<Lsn | null>, goal: Lsn, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lsn = await applied();
    if (lsn !== null && lsn >= goal) return;
    if (Date.now() > deadline) throw new Error("consumer did not catch up");
    await sleep(20);
  }
}

interface Consumer {
  name: string;
  /** Position the target has applied (end of last applied commit). */
  applied(): Promise<Lsn | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function nativeConsumer(source: TestCluster, target: pg.Client): Consumer {
  const applied = async () => {
    const { rows } = await target.query<{ lsn: string | null }>("SELECT remote_lsn::text AS lsn FROM pg_replication_origin_status LIMIT 1");
    return rows[0]?.lsn ? parseLsn(rows[0].lsn) : null;
  };
  let created = false;
  return {
    name: "native",
    applied,
    start: async () => {
      if (!created) {
        await target.query(
          `CREATE SUBSCRIPTION bench_sub CONNECTION 'host=${source.host} port=${source.port} user=${source.user} password=${source.password} dbname=bench' ` +
            "PUBLICATION bench_pub WITH (copy_data = false)",
        );
        created = true;
      } else {
        await target.query("ALTER SUBSCRIPTION bench_sub ENABLE");
      }
      // Streaming once the apply worker reports a received position.
      for (;;) {
        const { rows } = await target.query("SELECT received_lsn FROM pg_stat_subscription WHERE subname = 'bench_sub' AND received_lsn IS NOT NULL");
        if (rows.length) return;
        await sleep(50);
      }
    },
    stop: async () => {
      await target.query("ALTER SUBSCRIPTION bench_sub DISABLE");
    },
  };
}

/** pgferry batch statistics, printed per phase. */
const stats = { batches: 0, rows: 0, ms: 0 };
function takeStats(): string {
  const text = `${stats.batches} batches, ${stats.batches ? Math.round(stats.rows / stats.batches) : 0} rows/batch, ${stats.batches ? (stats.ms / stats.batches).toFixed(1) : 0} ms/batch`;
  Object.assign(stats, { batches: 0, rows: 0, ms: 0 });
  return text;
}

function pgferryConsumer(source: TestCluster, sourceClient: pg.Client, target: TestCluster, targetClient: pg.Client): Consumer {
  let controller: AbortController | null = null;
  let done: Promise<void> | null = null;
  let startLsn: string | undefined;
  return {
    name: "pgferry",
    applied: () => readProgress(targetClient, "bench"),
    start: async () => {
      if (!startLsn) {
        const { rows } = await sourceClient.query<{ lsn: string }>("SELECT lsn::text FROM pg_create_logical_replication_slot('bench_ferry', 'pgoutput')");
        startLsn = rows[0].lsn;
      }
      controller = new AbortController();
      const run = startCdc({
        mirror: "bench",
        source: peer(source, "bench"),
        target: peer(target, "ferry"),
        slotName: "bench_ferry",
        publicationName: "bench_pub",
        tables: [{ source: { schema: "public", name: "pgbench_accounts" }, target: { schema: "public", name: "pgbench_accounts" }, excludeColumns: [] }],
        startLsn,
        signal: controller.signal,
        onBatch: (batch) => {
          stats.batches++;
          stats.rows += batch.rows;
          stats.ms += batch.durationMs;
        },
        onEvent: (event) => {
          if (event.level !== "info") console.error(`pgferry ${event.level}: ${event.message}`);
        },
      });
      done = run.done;
      await waitUntil(() => readProgress(targetClient, "bench"), parseLsn(startLsn));
    },
    stop: async () => {
      controller?.abort();
      await done;
    },
  };
}

/** One UPDATE of every row; seconds from its commit until each consumer has applied it. */
async function bulkUpdate(source: pg.Client, consumers: Consumer[]): Promise<{ statement: number; apply: Record<string, number> }> {
  const t0 = Date.now();
  await source.query("UPDATE pgbench_accounts SET abalance = abalance + 1");
  const committed = Date.now();
  const apply = await secondsUntilApplied(source, consumers, committed);
  return { statement: (committed - t0) / 1000, apply };
}

/** Seconds from `since` until each consumer (by name) has applied all the source has written so far. */
async function secondsUntilApplied(source: pg.Client, consumers: Consumer[], since: number): Promise<Record<string, number>> {
  const goal = await flushedInsertLsn(source);
  const seconds: Record<string, number> = {};
  await Promise.all(
    consumers.map(async (consumer) => {
      await waitUntil(() => consumer.applied(), goal);
      seconds[consumer.name] = (Date.now() - since) / 1000;
    }),
  );
  return seconds;
}

interface LoadResult {
  tps: number;
  lag: Record<string, { p50: number; p95: number; max: number; drain: number }>;
}

/** Runs the rate-limited single-row update load and samples each consumer's lag every 100 ms. */
async function singleRowLoad(source: TestCluster, sourceClient: pg.Client, consumers: Consumer[], script: string): Promise<LoadResult> {
  const positions: { t: number; lsn: Lsn }[] = [];
  const lags = new Map<string, number[]>(consumers.map((c) => [c.name, []]));
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const t = Date.now();
      const { rows } = await sourceClient.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn");
      positions.push({ t, lsn: parseLsn(rows[0].lsn) });
      for (const consumer of consumers) {
        const applied = await consumer.applied();
        if (applied === null) continue;
        // Lag: how long ago the source was at the position the target has now applied.
        const reached = positions.find((p) => p.lsn >= applied);
        lags.get(consumer.name)!.push(reached ? Math.max(0, (Date.now() - reached.t) / 1000) : 0);
      }
      await sleep(Math.max(0, 100 - (Date.now() - t)));
    }
  })();
  const output = await pgbench(source, "bench", ["-n", "-c", "8", "-j", "2", "-T", String(SECONDS), "-R", String(RATE), "-f", script]);
  const drains = await secondsUntilApplied(sourceClient, consumers, Date.now());
  sampling = false;
  await sampler;
  const lag: LoadResult["lag"] = {};
  for (const [name, values] of lags) {
    const sorted = [...values].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    lag[name] = { p50: pct(0.5), p95: pct(0.95), max: sorted[sorted.length - 1] ?? 0, drain: drains[name] };
  }
  return { tps: Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? "0"), lag };
}

async function checksum(c: pg.Client): Promise<string> {
  const { rows } = await c.query("SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY aid)) AS sum FROM pgbench_accounts t");
  return rows[0].sum;
}

async function main() {
  const start = process.env.BENCH_PG === "18" ? (name: string) => startCluster(name) : (name: string) => startPg15(name);
  const [source, target] = await Promise.all([start("bench-source"), start("bench-target")]);
  const clients: pg.Client[] = [];
  const dir = await mkdtemp(path.join(tmpdir(), "pgferry-cdc-bench-"));
  try {
    const admin = await client(source, "postgres");
    await admin.query("CREATE DATABASE bench");
    await admin.end();
    const targetAdmin = await client(target, "postgres");
    await targetAdmin.query("CREATE DATABASE native");
    await targetAdmin.query("CREATE DATABASE ferry");
    await targetAdmin.end();
    console.log(`initialising pgbench scale ${SCALE} on source and two target databases...`);
    await Promise.all([pgbench(source, "bench", ["-i", "-q", "-s", String(SCALE)]), pgbench(target, "native", ["-i", "-q", "-s", String(SCALE)]), pgbench(target, "ferry", ["-i", "-q", "-s", String(SCALE)])]);
    const sourceClient = await client(source, "bench");
    const nativeClient = await client(target, "native");
    const ferryClient = await client(target, "ferry");
    clients.push(sourceClient, nativeClient, ferryClient);
    await sourceClient.query("CREATE PUBLICATION bench_pub FOR TABLE pgbench_accounts");
    const script = path.join(dir, "update.sql");
    await writeFile(script, `\\set aid random(1, ${100_000 * SCALE})\nUPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = :aid;\n`);

    const consumers: [Consumer, pg.Client][] = [
      [nativeConsumer(source, nativeClient), nativeClient],
      [pgferryConsumer(source, sourceClient, target, ferryClient), ferryClient],
    ];
    // Side by side by default: both consume the same changes at the same time, so load from
    // anything else on the machine hits both alike. BENCH_MODE=sequential measures each alone.
    const only = process.env.BENCH_ONLY;
    const chosen = consumers.filter(([c]) => !only || c.name === only);
    const groups = process.env.BENCH_MODE === "sequential" ? chosen.map((c) => [c]) : [chosen];
    const results: Record<string, Record<string, string>> = {};
    for (const group of groups) {
      const members = group.map(([consumer]) => consumer);
      for (const consumer of members) await consumer.start();
      const bulk = await bulkUpdate(sourceClient, members);
      console.log(`${100_000 * SCALE}-row UPDATE: statement ${bulk.statement.toFixed(1)} s; applied after commit: ${members.map((c) => `${c.name} ${bulk.apply[c.name].toFixed(1)} s`).join(", ")}`);
      if (members.some((c) => c.name === "pgferry")) console.log(`  pgferry: ${takeStats()}`);
      const load = await singleRowLoad(source, sourceClient, members, script);
      console.log(`pgbench single-row updates: ${load.tps} tx/s`);
      for (const c of members) {
        const l = load.lag[c.name];
        console.log(`  ${c.name}: lag p50 ${l.p50.toFixed(2)} s, p95 ${l.p95.toFixed(2)} s, max ${l.max.toFixed(2)} s; caught up ${l.drain.toFixed(2)} s after the load ended`);
      }
      if (members.some((c) => c.name === "pgferry")) console.log(`  pgferry: ${takeStats()}`);
      for (const [consumer, targetClient] of group) {
        await consumer.stop();
        // Each target started equal to the source (pgbench -i) and received everything since.
        const [sourceSum, targetSum] = await Promise.all([checksum(sourceClient), checksum(targetClient)]);
        const l = load.lag[consumer.name];
        results[consumer.name] = {
          [`${100_000 * SCALE}-row UPDATE, s after commit`]: bulk.apply[consumer.name].toFixed(1),
          "single-row load, tx/s": load.tps.toFixed(0),
          "lag p50 / p95 / max, s": `${l.p50.toFixed(2)} / ${l.p95.toFixed(2)} / ${l.max.toFixed(2)}`,
          "target = source": sourceSum === targetSum ? "yes" : "NO",
        };
      }
    }
    console.table(results);
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await Promise.all([source.stop(), target.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
