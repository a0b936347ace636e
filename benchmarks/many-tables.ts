import { spawn, execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { pg15BinDir } from "@/lib/pg/throwaway-server";
import { quoteIdent } from "@/lib/pg/quote";
import { type Api, waitForApiStatus } from "./api";
import type { Cleanup } from "./cleanup";
import type { ManyTablesShape } from "./config";
import { combinedPhases, loadPhases } from "./load-phases";
import { createDatabase, dropDatabase, seconds, withClient, type BenchServer } from "./pg";
import { addPeer, type Pgferry } from "./pgferry";
import { stepSeconds, watchPhases } from "./phase-watch";
import { watchPeakRss } from "./process-memory";
import { finished, spawnTool } from "./tools";

export const MANY_DB = "bench_many";
const MANY_PEER = "bench_many_source";
const BIG_TABLE = "many_big";

/** One tool's load of the many-table database into a fresh target database, checked. */
export interface ManyTablesResult {
  method: string;
  /** Which run of the method this is (BENCH_ROUNDS). */
  round: number;
  /** Null when the tool is not installed (see `note`). */
  seconds: number | null;
  note?: string;
  /** Tables whose row count equals the source's, of how many. */
  tablesMatching: number;
  tables: number;
  indexes: number;
  sourceIndexes: number;
  /** pgferry only: where its time went (seconds) and the worker's peak RSS in each phase (MB). */
  phases?: { name: string; seconds: number; workerPeakRssMb: number | null }[];
  workerPeakRssMb?: number | null;
}

export interface ManyTablesPart {
  shape: ManyTablesShape;
  results: ManyTablesResult[];
}

interface ManyContext {
  cleanup: Cleanup;
  source: BenchServer;
  target: BenchServer;
  ferry: Pgferry;
  api: Api;
  root: string;
  timeoutMs: number;
  log: (line: string) => void;
  /** Jobs every tool runs at once (BENCH_JOBS). */
  jobs: number;
}

const tableName = (i: number) => `many_${String(i).padStart(3, "0")}`;

/**
 * The many-table case of issue 15: `shape.tables` small tables with a primary key and a secondary
 * index each, plus one large table with both, loaded by pgferry (through the API), by
 * `pg_dump -Fd -j2` + `pg_restore -j2`, and by `pgcopydb clone` (when installed), each into a fresh
 * target database, one after the other, with a CHECKPOINT on both servers before each; `rounds`
 * times, each round starting with the next tool.
 */
export async function runManyTablesPart(ctx: ManyContext, shape: ManyTablesShape, rounds = 1): Promise<ManyTablesPart> {
  ctx.log(`many tables: ${shape.tables} tables x ${shape.rowsPerTable.toLocaleString("en-US")} rows + one of ${shape.bigRows.toLocaleString("en-US")} rows on the source...`);
  await createDatabase(ctx.source, MANY_DB);
  const expected = await withClient(ctx.source, MANY_DB, "many-setup", async (c) => {
    await createSourceTables(c, shape);
    return { counts: await rowCounts(c, allTables(shape)), indexes: await indexCount(c) };
  });
  await addPeer(ctx.ferry.catalog, MANY_PEER, ctx.source, MANY_DB);
  const methods: [string, (database: string, round: number) => Promise<Partial<ManyTablesResult> & { seconds: number | null }>][] = [
    [`pgferry (initial_load_only, via the API, ${ctx.jobs} copy lanes)`, (db, round) => loadWithPgferry(ctx, shape, db, round)],
    [`pg_dump -Fd -j${ctx.jobs} + pg_restore -j${ctx.jobs}`, (db) => loadWithDumpRestore(ctx, db)],
    [`pgcopydb clone (${ctx.jobs} table, ${ctx.jobs} index jobs)`, (db) => loadWithPgcopydb(ctx, db)],
  ];
  const results: ManyTablesResult[] = [];
  const runs = Array.from({ length: rounds }, (_, r) => methods.map((_, i) => ({ round: r + 1, index: (i + r) % methods.length }))).flat();
  for (const { round, index } of runs) {
    const [method, load] = methods[index];
    const database = `many_target_${index}`;
    ctx.log(`many tables${rounds > 1 ? `, round ${round}/${rounds}` : ""}: ${method}...`);
    await createDatabase(ctx.target, database);
    await checkpoint(ctx.source, ctx.target);
    const outcome = await load(database, round);
    const check = outcome.seconds === null ? { matching: 0, indexes: 0 } : await withClient(ctx.target, database, "many-check", async (c) => {
      const counts = await rowCounts(c, allTables(shape));
      return { matching: [...expected.counts].filter(([table, n]) => counts.get(table) === n).length, indexes: await indexCount(c) };
    });
    const result: ManyTablesResult = { method, round, tablesMatching: check.matching, tables: expected.counts.size, indexes: check.indexes, sourceIndexes: expected.indexes, ...outcome };
    results.push(result);
    ctx.log(
      result.seconds === null
        ? `  skipped: ${result.note}`
        : `  ${result.seconds.toFixed(2)} s, tables with the source's row count ${result.tablesMatching}/${result.tables}, indexes ${result.indexes}/${result.sourceIndexes}`,
    );
    await dropDatabase(ctx.target, database);
  }
  return { shape, results };
}

const allTables = (shape: ManyTablesShape) => [...Array.from({ length: shape.tables }, (_, i) => tableName(i + 1)), BIG_TABLE];

async function createSourceTables(c: pg.Client, shape: ManyTablesShape): Promise<void> {
  const create = (table: string, rows: number) => `
    CREATE TABLE ${quoteIdent(table)} (id bigint PRIMARY KEY, account integer NOT NULL, amount numeric(12,2) NOT NULL, note text, created timestamptz NOT NULL);
    INSERT INTO ${quoteIdent(table)} SELECT g, (g::bigint * 7919) % 100000, (g % 100000) / 100.0, md5(g::text), timestamptz '2026-01-01' + g * interval '1 second' FROM generate_series(1, ${rows}) g;
    CREATE INDEX ${quoteIdent(`${table}_account_idx`)} ON ${quoteIdent(table)} (account);`;
  for (let i = 1; i <= shape.tables; i += 50) {
    const batch = Array.from({ length: Math.min(50, shape.tables - i + 1) }, (_, k) => create(tableName(i + k), shape.rowsPerTable)).join("\n");
    await c.query(batch);
  }
  await c.query(create(BIG_TABLE, shape.bigRows));
  await c.query("VACUUM ANALYZE");
}

async function rowCounts(c: pg.Client, tables: string[]): Promise<Map<string, number>> {
  const sql = tables.map((t) => `SELECT ${quoteLiteralText(t)} AS t, count(*) AS n FROM ${quoteIdent(t)}`).join(" UNION ALL ");
  const { rows } = await c.query<{ t: string; n: string }>(sql).catch(() => ({ rows: [] as { t: string; n: string }[] }));
  return new Map(rows.map((r) => [r.t, Number(r.n)]));
}

const quoteLiteralText = (text: string) => `'${text.replace(/'/g, "''")}'`;

async function indexCount(c: pg.Client): Promise<number> {
  const { rows } = await c.query<{ n: string }>("SELECT count(*) AS n FROM pg_indexes WHERE schemaname = 'public' AND tablename LIKE 'many\\_%'");
  return Number(rows[0].n);
}

async function checkpoint(...servers: BenchServer[]): Promise<void> {
  for (const server of servers) await withClient(server, "postgres", "checkpoint", (c) => c.query("CHECKPOINT"));
}

/** pgferry on the user's path: POST /api/v1/mirrors, the worker process loads, GET until `completed`. */
async function loadWithPgferry(ctx: ManyContext, shape: ManyTablesShape, database: string, round: number) {
  const [mirror, peer] = [`bench_many_r${round}`, `bench_many_target_r${round}`];
  await addPeer(ctx.ferry.catalog, peer, ctx.target, database);
  const memory = watchPeakRss(ctx.ferry.worker.pid);
  const phases = watchPhases(ctx.ferry.catalog, mirror, ctx.ferry.worker.pid);
  const started = Date.now();
  await ctx.api.createMirror({
    name: mirror,
    source: MANY_PEER,
    target: peer,
    mode: "initial_load_only",
    tables: allTables(shape).map((t) => ({ source: `public.${t}` })),
    settings: { parallelCopyWorkers: ctx.jobs, parallelIndexBuilds: ctx.jobs },
  });
  await waitForApiStatus(ctx.api, ctx.ferry, mirror, "completed", ctx.timeoutMs);
  const observed = Date.now();
  const spans = stepSeconds(await phases.stop());
  const workerPeakRssMb = memory.stop();
  const load = await loadPhases(ctx.ferry.catalog, mirror, started, observed, { firstSeenMs: null, lastSeenMs: null });
  return {
    seconds: seconds(started, observed),
    workerPeakRssMb,
    phases: combinedPhases(load, spans),
  };
}

/** `pg_dump -Fd -j<jobs>` into a folder, then `pg_restore -j<jobs>` from it (directory format cannot be piped). */
async function loadWithDumpRestore(ctx: ManyContext, database: string) {
  const folder = path.join(ctx.root, "many-dump");
  await rm(folder, { recursive: true, force: true });
  const started = Date.now();
  const jobs = `-j${ctx.jobs}`;
  await finished(spawnTool(ctx.cleanup, "pg_dump", ctx.source, MANY_DB, ["-Fd", jobs, "-f", folder]), "pg_dump");
  await finished(spawnTool(ctx.cleanup, "pg_restore", ctx.target, database, [jobs, "--no-owner", "--no-acl", "--exit-on-error", folder]), "pg_restore");
  const took = seconds(started);
  await rm(folder, { recursive: true, force: true });
  return { seconds: took };
}

function pgcopydbPath(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v pgcopydb"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/** `pgcopydb clone --table-jobs 2 --index-jobs 2 --no-owner --no-acl`, with PostgreSQL 15's pg_dump and pg_restore first on PATH. */
async function loadWithPgcopydb(ctx: ManyContext, database: string) {
  const binary = pgcopydbPath();
  if (!binary) return { seconds: null, note: "pgcopydb is not installed (apt-get install -y pgcopydb)" };
  const folder = path.join(ctx.root, "pgcopydb");
  await rm(folder, { recursive: true, force: true });
  const started = Date.now();
  const jobs = String(ctx.jobs);
  const child = spawn(binary, ["clone", "--table-jobs", jobs, "--index-jobs", jobs, "--no-owner", "--no-acl", "--dir", folder], {
    env: {
      ...process.env,
      PATH: `${pg15BinDir()}:${process.env.PATH ?? ""}`,
      PGCOPYDB_SOURCE_PGURI: ctx.source.url(MANY_DB),
      PGCOPYDB_TARGET_PGURI: ctx.target.url(database),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const forget = ctx.cleanup.add("kill pgcopydb", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  child.once("exit", () => void forget());
  await finished(child, "pgcopydb", false);
  const took = seconds(started);
  await rm(folder, { recursive: true, force: true });
  return { seconds: took };
}
