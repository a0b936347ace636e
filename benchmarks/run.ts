/**
 * `npm run bench` (BENCH_QUICK=1 for a smoke run; see config.ts for every setting).
 *
 * One run, on its own throwaway servers (temp folders, free ports, 127.0.0.1 only): PostgreSQL 15
 * source and target from the system binaries, pgferry's catalog on the embedded PostgreSQL 18, one
 * real worker process. Measures issue 4 (initial load: pgferry vs pg_dump | psql vs native initial
 * sync, beside the floor: a bare binary COPY pipe and the key), issue 15 (many tables: pgferry vs pg_dump -j2 | pg_restore -j2 vs pgcopydb; pgferry on the
 * user's path, through the HTTP API's route handlers, benchmarks/api.ts) and issue 5 (CDC: a 1,000,000-row transaction and a pgbench load, pgferry vs a native
 * subscription), checks every result against the source, prints a table and the targets, and writes
 * .bench/last-run.json. Everything it started is stopped and removed at the end, on errors, on
 * Ctrl-C and at the time limit.
 */
import { runCdcPart } from "./cdc";
import { Cleanup, cleanUpOnInterrupt } from "./cleanup";
import { readConfig } from "./config";
import { FLOOR_METHOD, type LoadContext, loadWithBinaryPipe, loadWithNative, loadWithPgDump, loadWithPgferry, type LoadResult, SOURCE_DB, SOURCE_PEER } from "./initial-load";
import { machineInfo, watchLoadAverage } from "./machine";
import { runManyTablesPart } from "./many-tables";
import { accountsChecksum, createDatabase, dropDatabase, withClient, type BenchServer } from "./pg";
import { addPeer, startPgferry } from "./pgferry";
import { type BenchReport, checkTargets, formatReport, isVerified, writeReport } from "./report";
import { startServers } from "./servers";
import { dumpInto, runTool } from "./tools";
import { apiClient } from "./api";

const startedAt = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}`);

async function main(): Promise<number> {
  const config = readConfig();
  const cleanup = new Cleanup();
  const disarm = cleanUpOnInterrupt(cleanup, config.timeoutMs);
  const loadAverage = watchLoadAverage();
  try {
    log(`starting source and target (PostgreSQL 15) and the catalog (PostgreSQL 18)...`);
    const servers = await startServers(cleanup);
    const { source, target } = servers;
    log(`pgbench -i -s ${config.scale} on the source...`);
    await createDatabase(source, SOURCE_DB);
    await runTool(cleanup, "pgbench", source, SOURCE_DB, ["-i", "-q", "-s", String(config.scale)]);
    const { heapBytes, sourceChecksum, sourceVersion } = await withClient(source, SOURCE_DB, "prepare", async (c) => {
      await c.query("VACUUM ANALYZE pgbench_accounts");
      const size = await c.query<{ bytes: string; version: string }>("SELECT pg_relation_size('pgbench_accounts') AS bytes, current_setting('server_version') AS version");
      return { heapBytes: Number(size.rows[0].bytes), sourceChecksum: await accountsChecksum(c), sourceVersion: size.rows[0].version };
    });
    if (sourceChecksum.rows !== config.rows) throw new Error(`pgbench created ${sourceChecksum.rows} rows, expected ${config.rows}`);

    log("starting the catalog migration and one pgferry worker...");
    const ferry = await startPgferry(cleanup, servers.catalogUrl, servers.root);
    await addPeer(ferry.catalog, SOURCE_PEER, source, SOURCE_DB);

    const api = apiClient(servers.catalogUrl);
    const ctx: LoadContext = {
      cleanup,
      source,
      target,
      ferry,
      catalogUrl: servers.catalogUrl,
      sourceChecksum,
      timeoutMs: config.timeoutMs,
      nativeStreaming: config.nativeStreaming,
      api,
      jobs: config.jobs,
    };
    const initialLoad: LoadResult[] = [];
    if (config.parts.load || config.parts.many) {
      // Untimed, and for every tool alike: a fresh server creates a new WAL segment file for every
      // 16 MB it writes until checkpoints recycle old ones (~3 s on the first 640 MB load); a
      // user's server that has run for a while has them. One pg_dump | psql load warms the target's
      // WAL; nothing warms pgferry's worker (its first load compiles its copy code, as a user's does).
      log("warm-up (untimed, the servers only): pg_dump -t pgbench_accounts | psql into a throwaway database...");
      await checkpoint(source, target);
      await createDatabase(target, "warm_up");
      await dumpInto(cleanup, source, SOURCE_DB, ["-t", "pgbench_accounts"], target, "warm_up");
      await dropDatabase(target, "warm_up");
    }
    const methods = config.parts.load ? ([
      [`pgferry (initial_load_only mirror, ${config.jobs} copy lanes)`, (c: LoadContext) => loadWithPgferry(c)],
      ["pg_dump -t pgbench_accounts | psql", loadWithPgDump],
      [FLOOR_METHOD, (c: LoadContext) => loadWithBinaryPipe(c)],
      ["native logical replication initial sync", loadWithNative],
    ] as const) : [];
    for (const [label, method] of methods) {
      log(`initial load: ${label}...`);
      await checkpoint(source, target);
      const result = await method(ctx);
      initialLoad.push(result);
      logLoad(result);
    }
    // More rounds of the two judged loads and the floor, in reversed order every other round.
    for (let round = 2; config.parts.load && round <= config.rounds; round++) {
      const loads = [
        ["pgferry", () => loadWithPgferry(ctx, undefined, round)],
        ["pg_dump -t pgbench_accounts | psql", () => loadWithPgDump(ctx, round)],
        [FLOOR_METHOD, () => loadWithBinaryPipe(ctx, round)],
      ] as const;
      for (const [label, method] of round % 2 === 0 ? [...loads].reverse() : loads) {
        log(`initial load, round ${round}/${config.rounds}: ${label}...`);
        await checkpoint(source, target);
        const result = await method();
        initialLoad.push(result);
        logLoad(result);
      }
    }
    for (const [index, settings] of (config.parts.load ? config.loadVariants : []).entries()) {
      log(`initial load, variant: pgferry with ${JSON.stringify(settings)}...`);
      await checkpoint(source, target);
      const result = await loadWithPgferry(ctx, { index: index + 1, settings });
      initialLoad.push(result);
      logLoad(result);
    }

    const many = config.parts.many
      ? await runManyTablesPart({ cleanup, source, target, ferry, api, root: servers.root, timeoutMs: config.timeoutMs, log, jobs: config.jobs }, config.many, config.rounds)
      : null;

    if (config.parts.cdc && !config.parts.load) {
      // The CDC part continues the native subscription that the load part's native sync creates.
      log("native subscription for the CDC part (its initial sync, not reported)...");
      await loadWithNative(ctx);
    }
    const cdc = config.parts.cdc ? await runCdcPart({ cleanup, source, target, ferry, config, log }) : null;

    const partial = { initialLoad, cdc, many };
    const report: BenchReport = {
      date: new Date().toISOString(),
      config,
      machine: machineInfo(),
      loadAverage: loadAverage.stop(),
      versions: { source: sourceVersion, target: await version(target), catalog: await catalogVersion(ferry.catalog) },
      source: { rows: sourceChecksum.rows, heapBytes },
      initialLoad,
      many,
      cdc,
      targets: checkTargets(partial),
      verified: isVerified(partial),
      durationSeconds: (Date.now() - startedAt) / 1000,
    };
    console.log(`\n${formatReport(report)}`);
    console.log(`\nresults written to ${await writeReport(report)}`);
    // A wrong result is a failure; a missed target is a finding, reported above.
    return report.verified ? 0 : 1;
  } finally {
    log("stopping the worker and the servers, removing temp folders...");
    await cleanup.runAll();
    disarm();
  }
}

function logLoad(result: LoadResult): void {
  log(`  ${result.seconds.toFixed(2)} s, ${result.rows.toLocaleString("en-US")} rows, checksum ${result.checksumMatches ? "= source" : "DIFFERS"}, primary key ${result.primaryKey ? "yes" : "MISSING"}`);
}

async function version(server: BenchServer): Promise<string> {
  return withClient(server, "postgres", "version", async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v);
}

async function catalogVersion(catalog: Awaited<ReturnType<typeof startPgferry>>["catalog"]): Promise<string> {
  const rows = await catalog.$queryRaw<{ v: string }[]>`SELECT current_setting('server_version') AS v`;
  return rows[0].v;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\nbenchmark failed: ${(error as Error)?.stack ?? error}`);
    process.exit(1);
  },
);

/**
 * Every method starts from the same state: no checkpoint left over from the previous method's
 * (or pgbench's) writes runs during the next one's timing.
 */
async function checkpoint(...servers: Parameters<typeof withClient>[0][]): Promise<void> {
  for (const server of servers) await withClient(server, "postgres", "checkpoint", (c) => c.query("CHECKPOINT"));
}
