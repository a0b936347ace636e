import type { TableLoadPlan } from "@/lib/mirrors/table-plan";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { ensurePrimaryKeys } from "./target-ddl";

/**
 * Ends a load whose partitions are all copied: builds the primary keys that prepareLoad deferred.
 * Idempotent. Throws PostgreSQL's error (e.g. 23505 if the target somehow holds duplicate keys).
 */
export async function finishLoad(targetPeer: PeerConnection, plans: Pick<TableLoadPlan, "target" | "primaryKey">[], mirror: string): Promise<void> {
  const target = await connectPeer(targetPeer, `finish:${mirror}`);
  try {
    // An index build on a large table outlasts any sensible statement timeout.
    await target.query("SET statement_timeout = 0");
    await ensurePrimaryKeys(target, plans);
  } finally {
    await target.end().catch(() => {});
  }
}
