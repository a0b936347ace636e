import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedServer } from "@/lib/catalog/embedded";
import type { Cleanup } from "./cleanup";
import type { BenchServer } from "./pg";
import { startPg15Server } from "@/lib/pg/throwaway-server";

export interface BenchServers {
  /** PostgreSQL 15 (system binaries): pg_dump 15 refuses newer servers, and the baselines are 15 -> 15. */
  source: BenchServer;
  target: BenchServer;
  /** pgferry's catalog: embedded PostgreSQL 18 with default settings, as `npm start` runs it. */
  catalogUrl: string;
  /** Temp folder for the catalog, the worker's log and pgbench scripts. */
  root: string;
}

/**
 * Starts the three throwaway servers on loopback with free ports. Source and target run like users'
 * servers: PostgreSQL's durability defaults (fsync, synchronous_commit and full_page_writes on; the
 * test servers turn them off, which makes every commit free and halves the WAL written after a
 * checkpoint), with a max_wal_size DBAs set for bulk loads. The same for every method measured.
 */
export async function startServers(cleanup: Cleanup): Promise<BenchServers> {
  const root = await mkdtemp(path.join(tmpdir(), "pgferry-bench-"));
  cleanup.add("remove temp folder", () => rm(root, { recursive: true, force: true }));
  // The servers run as the postgres user when we are root: it must be able to enter this folder.
  await chmod(root, 0o755);
  const settings = { fsync: "on", synchronous_commit: "on", full_page_writes: "on", max_wal_size: "4GB", max_replication_slots: 10, max_wal_senders: 10, max_logical_replication_workers: 8 };
  const [source, target, catalog] = await Promise.all([
    startPg15Server(path.join(root, "source"), settings).then((server) => {
      cleanup.add("stop source server", () => server.stop());
      return server;
    }),
    startPg15Server(path.join(root, "target"), settings).then((server) => {
      cleanup.add("stop target server", () => server.stop());
      return server;
    }),
    startEmbeddedServer(path.join(root, "catalog"), { database: "pgferry" }).then((server) => {
      cleanup.add("stop catalog server", () => server.stop());
      return server;
    }),
  ]);
  return { source, target, catalogUrl: catalog.url, root };
}
