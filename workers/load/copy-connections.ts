import type pg from "pg";
import { connectPrepared } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";

/**
 * The two connections one copy job's partitions share: one to the source, one to the target,
 * each opened when first needed and kept while copies succeed. A partition still runs in its own
 * transactions (its target rows and bookkeeping commit together; its source transaction joins the
 * snapshot after the target table is locked, see partition-copy.ts), so sharing changes no order,
 * only the cost around it: opening a connection (TCP, SCRAM, a new backend) took 20–45 ms per end
 * here, more than copying a table of a few thousand rows.
 *
 * After a failure or an abort the connection's state is unknown: `discard` closes both, and the
 * next partition opens new ones. `close` ends whatever is open; idempotent.
 */
export class CopyConnections {
  private source: pg.Client | null = null;
  private target: pg.Client | null = null;

  /**
   * The target connection, opened with `prepare` run once on it. `purpose` names the first
   * partition that opened it (application_name), for pg_stat_activity.
   */
  async targetClient(peer: PeerConnection, purpose: string, prepare: (client: pg.Client) => Promise<void>): Promise<pg.Client> {
    this.target ??= await connectPrepared(peer, purpose, prepare);
    return this.target;
  }

  async sourceClient(peer: PeerConnection, purpose: string, prepare: (client: pg.Client) => Promise<void>): Promise<pg.Client> {
    this.source ??= await connectPrepared(peer, purpose, prepare);
    return this.source;
  }

  /** The connections now open (for an abort, which ends them to stop a running COPY). */
  open(): pg.Client[] {
    return [this.source, this.target].filter((c): c is pg.Client => c !== null);
  }

  async discard(): Promise<void> {
    const clients = this.open();
    this.source = null;
    this.target = null;
    // Ending a client inside an open transaction rolls it back on the server; ending one with a
    // COPY still running (after an error or abort) drops the socket, which does the same.
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }

  close(): Promise<void> {
    return this.discard();
  }
}
