import { db } from "@/lib/catalog/db";
import { dataDir } from "@/lib/config/env";
import { createLogger } from "@/lib/log/logger";
import { launch } from "./launcher";
import { DEMO_PEERS, registerDemoPeer } from "./demo/peers";
import { type DemoServers, startDemoServers } from "./demo/servers";
import { startWriteLoad, type WriteLoad } from "./demo/write-load";

/**
 * `npm run demo`: everything `npm start` runs, plus a source and a target PostgreSQL server with a
 * sample shop database on the source, a light ongoing write load, and both registered as peers
 * ("demo_source", "demo_target"). Ctrl-C stops it all; the next run reuses the data.
 */
const log = createLogger("demo");

/** SQLSTATEs of a server that is stopping: admin_shutdown, cannot_connect_now. */
const SHUTTING_DOWN = new Set(["57P01", "57P03"]);

let servers: Promise<DemoServers> | undefined;
let load: WriteLoad | undefined;

/** Stops the write load, then the demo servers (also when they are still starting). */
async function stopDemo(): Promise<void> {
  await load?.stop();
  await servers?.then(
    (started) => started.stop(),
    () => {},
  );
}

async function main(): Promise<void> {
  // The demo servers start (and on first run load the sample data) while the catalog starts.
  log.info("starting the demo source and target servers…");
  const ready = startDemoServers(dataDir()).then((started) => {
    log.info(started.loaded ? "loaded the sample shop into the demo source" : "the demo source has its sample shop");
    return started;
  });
  servers = ready;
  ready.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"

  await launch({
    mode: "start",
    beforeServe: async () => {
      const { source, target } = await ready;
      for (const [name, server] of [
        [DEMO_PEERS.source, source],
        [DEMO_PEERS.target, target],
      ] as const) {
        const { validation } = await registerDemoPeer(db(), name, server.url);
        const notes = validation.checks.filter((c) => c.status !== "pass").map((c) => c.label);
        log.info(`peer ${name} is saved and validated${notes.length ? ` (warnings: ${notes.join(", ")})` : ""}`);
      }
      let failures = 0;
      load = startWriteLoad(source.url, undefined, (error) => {
        // A server shutting down (Ctrl-C reaches it too) is expected, not worth a line.
        if (SHUTTING_DOWN.has((error as { code?: string }).code ?? "")) return;
        // The first failure says what is wrong; after that, one line per hundred keeps the log readable.
        if (failures++ % 100 === 0) log.warn("a demo write failed", { error });
      });
      log.info("a light write load runs on the demo source (a few writes per second)");
    },
    extraShutdown: stopDemo,
  });
}

main().catch(async (error: unknown) => {
  process.stderr.write(`pgferry demo failed to start: ${(error as Error).message}\n`);
  // The servers may be up even though the app is not; stop them.
  await stopDemo().catch(() => {});
  process.exit(1);
});
