import { execFile as execFileCb, execFileSync } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, type TestCluster } from "./clusters";

const execFile = promisify(execFileCb);

/** Where the system's PostgreSQL 15 binaries are (initdb, pg_ctl, pg_dump, psql, pgbench). */
export function pg15BinDir(): string {
  return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
}

/**
 * Starts a throwaway PostgreSQL 15 server from the system binaries (for cross-version tests).
 * PostgreSQL refuses to run as root, so when we are root the server runs as user "postgres" in a
 * temp folder that user owns. wal_level = logical; password auth over TCP like the shared servers.
 */
export async function startPg15(name = "pg15", settings: Record<string, string | number> = {}): Promise<TestCluster> {
  const bin = pg15BinDir();
  const root = await mkdtemp(path.join(tmpdir(), `pgferry-test-${name}-`));
  await chmod(root, 0o755);
  const data = path.join(root, "data");
  await mkdir(data, { mode: 0o700 });
  const password = "test-password";
  const pwfile = path.join(root, "pwfile");
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }));
    await chown(root, uid, gid);
    await chown(data, uid, gid);
    await chown(pwfile, uid, gid);
  }
  const run = (command: string, args: string[]) =>
    asRoot ? execFile("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args]) : execFile(path.join(bin, command), args);

  await run("initdb", ["-D", data, "-U", "postgres", `--pwfile=${pwfile}`, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const all: Record<string, string | number> = {
    listen_addresses: "127.0.0.1",
    port,
    unix_socket_directories: root,
    wal_level: "logical",
    max_connections: 100,
    max_replication_slots: 10,
    max_wal_senders: 10,
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    ...settings,
  };
  const options = Object.entries(all).map(([k, v]) => `-c ${k}=${v}`).join(" ");
  await run("pg_ctl", ["-D", data, "-o", options, "-l", path.join(root, "log"), "-w", "-t", "60", "start"]);
  return {
    name,
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    url: (database = "postgres") =>
      `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: async () => {
      await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      await rm(root, { recursive: true, force: true }).catch(() => {});
    },
  };
}
