import type { Queryable } from "./describe-session";
import { quoteIdent } from "./quote";
import { assertSlotName } from "./snapshot";

/** Default: 10 seconds for a terminated walsender to release its slot. */
const RELEASE_TIMEOUT_MS = 10_000;

/**
 * Drops replication slot `slotName` if it exists; a no-op when it does not. When a session still
 * holds the slot — typically a walsender whose client died without the server noticing — that
 * session is terminated first, so the slot stops retaining WAL. Needs a normal (not replication)
 * connection to the slot's server. Throws when the slot stays busy for RELEASE_TIMEOUT_MS or the
 * user may not terminate the holder or drop the slot.
 */
export async function dropSlot(client: Queryable, slotName: string): Promise<{ dropped: boolean }> {
  assertSlotName(slotName);
  const deadline = Date.now() + RELEASE_TIMEOUT_MS;
  for (;;) {
    const { rows } = await client.query<{ active_pid: number | null }>(
      "SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1",
      [slotName],
    );
    if (rows.length === 0) return { dropped: false };
    const pid = rows[0].active_pid;
    if (pid !== null) {
      await client.query("SELECT pg_terminate_backend($1)", [pid]);
    } else {
      try {
        await client.query("SELECT pg_drop_replication_slot($1)", [slotName]);
        return { dropped: true };
      } catch (error) {
        const code = (error as { code?: string }).code;
        // 42704: dropped concurrently. 55006: taken again between our check and the drop.
        if (code === "42704") return { dropped: false };
        if (code !== "55006") throw error;
      }
    }
    if (Date.now() > deadline) throw new Error(`replication slot ${slotName} is still in use after terminating its session`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Drops publication `name` if it exists. Idempotent. */
export async function dropPublication(client: Queryable, name: string): Promise<void> {
  await client.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
}
