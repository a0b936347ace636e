/**
 * The session's read loop: takes the replication stream's items one at a time and hands each to
 * the dispatcher, in order, until the signal aborts; then lets the dispatcher keep what is complete.
 * Between items it surfaces a failure of a pipelined target statement, which can happen while the
 * stream is quiet and nothing else would notice.
 */
import type { Lsn } from "@/lib/pg/lsn";
import type { Dispatcher } from "@/workers/cdc/dispatcher";
import type { StreamItem } from "@/workers/cdc/replication-stream";

/** What the loop needs of the replication stream (a fake in unit tests). */
export interface ItemSource {
  /** The next item, or null when none arrived within `timeoutMs`. */
  next(timeoutMs: number): Promise<StreamItem | null>;
  /** End of the last WAL position the server told us about. */
  readonly lastReceivedLsn: Lsn;
}

/**
 * Reads until `signal` aborts. `pollMs` bounds how long a quiet stream goes without the
 * dispatcher's idle work (committing a batch, storing and confirming a keepalive position).
 */
export async function readStream(source: ItemSource, dispatcher: Dispatcher, signal: AbortSignal, pollMs: number): Promise<void> {
  while (!signal.aborted) {
    dispatcher.throwIfFailed();
    const item = await source.next(pollMs);
    dispatcher.received(source.lastReceivedLsn);
    if (item === null) await dispatcher.idle();
    else await dispatcher.dispatch(item);
  }
  await dispatcher.stop();
}
