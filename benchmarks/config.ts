import { availableParallelism } from "node:os";

/**
 * What one `npm run bench` measures, from the environment:
 *
 * - BENCH_QUICK=1: smoke run, scale 5 (500,000 rows) and a 10 s pgbench load.
 * - BENCH_SCALE: pgbench scale of the source (100,000 pgbench_accounts rows each). Default: 50, quick 5.
 * - BENCH_SECONDS: length of the pgbench load in the CDC part. Default: 30, quick 10.
 * - BENCH_RATE: limit the pgbench load to this many transactions per second (pgbench -R), so both
 *   consumers face the same rate. Default: unlimited (as fast as 4 clients go).
 * - BENCH_TIMEOUT_MINUTES: the whole run is stopped (and cleaned up) after this. Default: 45, quick 15.
 * - BENCH_LOAD_VARIANTS: extra pgferry initial loads with other mirror settings, reported beside the
 *   default one (never judged against the targets), e.g.
 *   "parallelCopyWorkers=2;parallelCopyWorkers=2,rowsPerPartition=1000000". Default: none.
 * - BENCH_PARTS: which parts run, a comma-separated list of "load" (pgbench_accounts), "cdc" and "many"
 *   (many tables, issue 15). Default: "load,many,cdc".
 * - BENCH_ROUNDS: how often the judged loads run (pgferry against pg_dump | psql; pgferry against
 *   pg_dump -j2 | pg_restore -j2 and pgcopydb), in an order that turns each round, judged on each
 *   tool's median: one run swings by 15-30 % on a shared machine. Default: 3, quick 1.
 * - BENCH_JOBS: the parallelism every tool gets — pgferry's parallelCopyWorkers and parallelIndexBuilds,
 *   pg_dump -j / pg_restore -j, pgcopydb's table and index jobs. Default: the machine's cores.
 * - BENCH_NATIVE_STREAMING: the native subscription's `streaming` option, "off" (PostgreSQL 15's
 *   default, and the default here) or "on" (large transactions sent while they run, applied at commit).
 */
export interface BenchConfig {
  quick: boolean;
  scale: number;
  /** Rows of pgbench_accounts: 100,000 per scale unit. */
  rows: number;
  /** Rows the single-transaction UPDATE of the CDC part changes: 1,000,000, or every row of a smaller table. */
  bulkUpdateRows: number;
  pgbenchSeconds: number;
  /** pgbench clients and threads of the CDC load (-c / -j). */
  pgbenchClients: number;
  pgbenchThreads: number;
  /** pgbench -R; null: unlimited. */
  pgbenchRate: number | null;
  timeoutMs: number;
  loadVariants: Record<string, number>[];
  /** Runs of each judged load; the targets use each tool's median. */
  rounds: number;
  /** Jobs every tool runs at once (pgferry: copy lanes and index builds). */
  jobs: number;
  parts: { load: boolean; cdc: boolean; many: boolean };
  /** The many-table case: small tables with a primary key and a secondary index each, plus one large table. */
  many: ManyTablesShape;
  nativeStreaming: "off" | "on";
}

export interface ManyTablesShape {
  tables: number;
  rowsPerTable: number;
  /** Rows of the one large table. */
  bigRows: number;
}

/** Issue 15's shape: 200 tables x 5,000 rows + one 2,000,000-row table (quick: 50 x 2,000 + 200,000). */
export const MANY_TABLES: ManyTablesShape = { tables: 200, rowsPerTable: 5_000, bigRows: 2_000_000 };
export const MANY_TABLES_QUICK: ManyTablesShape = { tables: 50, rowsPerTable: 2_000, bigRows: 200_000 };

/** The single-transaction UPDATE of issue 5 changes this many rows (when the table has them). */
export const BULK_UPDATE_ROWS = 1_000_000;

export function readConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";
  const scale = positiveInt(env.BENCH_SCALE, quick ? 5 : 50, "BENCH_SCALE");
  const rows = scale * 100_000;
  return {
    quick,
    scale,
    rows,
    bulkUpdateRows: Math.min(BULK_UPDATE_ROWS, rows),
    pgbenchSeconds: positiveInt(env.BENCH_SECONDS, quick ? 10 : 30, "BENCH_SECONDS"),
    pgbenchClients: 4,
    pgbenchThreads: 2,
    pgbenchRate: env.BENCH_RATE ? positiveInt(env.BENCH_RATE, 0, "BENCH_RATE") : null,
    timeoutMs: positiveInt(env.BENCH_TIMEOUT_MINUTES, quick ? 15 : 45, "BENCH_TIMEOUT_MINUTES") * 60_000,
    loadVariants: parseVariants(env.BENCH_LOAD_VARIANTS ?? ""),
    rounds: positiveInt(env.BENCH_ROUNDS, quick ? 1 : 3, "BENCH_ROUNDS"),
    jobs: positiveInt(env.BENCH_JOBS, availableParallelism(), "BENCH_JOBS"),
    parts: parseParts(env.BENCH_PARTS ?? "load,many,cdc"),
    many: quick ? MANY_TABLES_QUICK : MANY_TABLES,
    nativeStreaming: parseOnOff(env.BENCH_NATIVE_STREAMING ?? "off", "BENCH_NATIVE_STREAMING"),
  };
}

/** "a=1,b=2;c=3" -> [{ a: 1, b: 2 }, { c: 3 }]; createMirror checks the names and values. */
function parseVariants(text: string): Record<string, number>[] {
  return text
    .split(";")
    .map((variant) => variant.trim())
    .filter(Boolean)
    .map((variant) =>
      Object.fromEntries(
        variant.split(",").map((pair) => {
          const [key, value] = pair.split("=").map((x) => x.trim());
          if (!key || value === undefined || !Number.isFinite(Number(value))) throw new Error(`BENCH_LOAD_VARIANTS: "${pair}" is not name=number`);
          return [key, Number(value)];
        }),
      ),
    );
}

function parseOnOff(text: string, name: string): "off" | "on" {
  if (text !== "off" && text !== "on") throw new Error(`${name} must be "off" or "on", not ${JSON.stringify(text)}`);
  return text;
}

function parseParts(text: string): BenchConfig["parts"] {
  const parts = text.split(",").map((part) => part.trim()).filter(Boolean);
  const unknown = parts.filter((part) => part !== "load" && part !== "cdc" && part !== "many");
  if (unknown.length > 0 || parts.length === 0) throw new Error(`BENCH_PARTS must list some of "load", "many" and "cdc", not ${JSON.stringify(text)}`);
  return { load: parts.includes("load"), cdc: parts.includes("cdc"), many: parts.includes("many") };
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(value)}`);
  return n;
}
