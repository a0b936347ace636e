import path from "node:path";
import pg from "pg";
import { type EmbeddedServer, startEmbeddedServer } from "@/lib/catalog/embedded";
import { loadSampleData } from "./sample-data";

/** The demo's database name on both servers. */
export const DEMO_DATABASE = "demo";

/**
 * What a CDC source needs; the defaults of 10 slots and senders would do, but leave room for many
 * demo mirrors. The target gets the same so that it validates clean and can be a source as well
 * (e.g. to mirror back after a cutover).
 */
const LOGICAL_FLAGS = ["-c", "wal_level=logical", "-c", "max_replication_slots=20", "-c", "max_wal_senders=20"];

export interface DemoServers {
  source: EmbeddedServer;
  target: EmbeddedServer;
  /** True when this start loaded the sample data (first run). */
  loaded: boolean;
  stop(): Promise<void>;
}

/**
 * Starts (creating on first run) the demo's source and target PostgreSQL servers in
 * `<dataDir>/demo-source` and `<dataDir>/demo-target`, and loads the sample shop into the source
 * on first run. The target's "demo" database stays empty: mirrors fill it.
 */
export async function startDemoServers(dataDir: string): Promise<DemoServers> {
  const [source, target] = await Promise.all([
    startEmbeddedServer(path.join(dataDir, "demo-source"), { database: DEMO_DATABASE, flags: LOGICAL_FLAGS, preferredPort: 54330 }),
    startEmbeddedServer(path.join(dataDir, "demo-target"), { database: DEMO_DATABASE, flags: LOGICAL_FLAGS, preferredPort: 54331 }),
  ]);
  const stop = async () => {
    await Promise.all([source.stop().catch(() => {}), target.stop().catch(() => {})]);
  };
  try {
    const client = new pg.Client({ connectionString: source.url, application_name: "demo-setup" });
    await client.connect();
    try {
      const loaded = await loadSampleData(client);
      return { source, target, loaded, stop };
    } finally {
      await client.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
