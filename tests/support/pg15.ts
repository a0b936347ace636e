import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startPg15Server } from "@/lib/pg/throwaway-server";
import type { TestCluster } from "./clusters";
import { requireIntegrationTier } from "./tier";

/**
 * Starts a throwaway PostgreSQL 15 server from the system binaries (for cross-version tests), in a
 * temp folder removed at stop. The server itself is the one the benchmark starts too
 * (lib/pg/throwaway-server.ts), with the replication settings the tests need.
 */
export async function startPg15(name = "pg15", settings: Record<string, string | number> = {}): Promise<TestCluster> {
  requireIntegrationTier("startPg15");
  const root = await mkdtemp(path.join(tmpdir(), `pgferry-test-${name}-`));
  const server = await startPg15Server(root, { max_replication_slots: 10, max_wal_senders: 10, ...settings });
  return {
    ...server,
    name,
    stop: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true }).catch(() => {});
    },
  };
}
