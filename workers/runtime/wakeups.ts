import pg from "pg";
import { MIRRORS_CHANNEL } from "@/lib/catalog/mirror-signal";
import type { Logger } from "@/lib/log/logger";

/**
 * Listens on the catalog's mirrors channel and calls `onWake` for each notification. If the
 * connection drops, it reconnects after a pause; meanwhile the supervisor's polling still works.
 */
export function listenForMirrorChanges(catalogUrl: string, onWake: () => void, logger: Logger): { close(): Promise<void> } {
  let client: pg.Client | null = null;
  let closed = false;
  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: catalogUrl, application_name: "pgferry:worker:listen" });
    next.on("notification", () => onWake());
    next.on("error", () => {
      client = null;
      void next.end().catch(() => {});
      if (!closed) setTimeout(() => void connect(), 5_000);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${MIRRORS_CHANNEL}`);
      client = next;
    } catch (error) {
      logger.debug("could not listen for mirror changes; polling only", { error });
      void next.end().catch(() => {});
      if (!closed) setTimeout(() => void connect(), 5_000);
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}
