/**
 * Large source transactions that arrive while they run (pgoutput protocol 2, see
 * replication-stream.ts) are applied *as they arrive*, on a second target connection, inside one
 * target transaction that commits when the source transaction commits — so at its commit little
 * work is left (PostgreSQL 16+'s "parallel apply" does the same). Why this is safe:
 *
 * - Ordering. A streamed block only holds changes that come after everything committed before it
 *   in the WAL, and those commits arrived first. Before each block, the main connection commits
 *   what it holds, so the streamed changes see on the target what they saw on the source. Other
 *   transactions cannot touch the rows the open one changed (the source locks them until it
 *   commits), so the two connections never wait for each other.
 * - Exactly once. The streamed transaction's target transaction stores its end position with its
 *   rows, after the main connection committed every earlier transaction. A restart rolls it back;
 *   the source then streams it again from its start.
 * - Aborts. A rolled-back subtransaction maps to ROLLBACK TO SAVEPOINT (one savepoint per
 *   subtransaction, set before its first change), a rolled-back transaction to ROLLBACK.
 *
 * One transaction at a time is applied this way. Any other that streams meanwhile — or the one in
 * progress, should it change the shape of a table it already wrote to (DDL inside it) — is applied
 * at its commit from its spool, which holds every streamed change anyway.
 */
import type { Lsn } from "@/lib/pg/lsn";
import type { PgoutputMessage, StreamControlMessage } from "@/lib/pg/pgoutput";
import type { Applier } from "@/workers/cdc/applier";
import type { CountsSnapshot } from "@/workers/cdc/batch-accounting";
import type { TransactionSpool } from "@/workers/cdc/spool";

export interface StreamedHooks {
  /** The session's applier (main connection). */
  main: Applier;
  /** The applier on the second target connection (opened on first use). */
  eagerApplier(): Promise<Applier>;
  /** True when this Relation message will change what the session knows (and maybe the target's DDL). */
  changesSchema(message: PgoutputMessage & { tag: "relation" }): boolean;
  /** Applies one message of a transaction into `into`, exactly as for a normal transaction. */
  apply(message: PgoutputMessage, into: Applier): Promise<void>;
  /** Applies a committed streamed transaction from its spool through the main connection. */
  replay(commit: StreamCommit, spool: TransactionSpool): Promise<void>;
  /** Called once the streamed transaction is committed on the target and the main applier advanced. */
  committed(): void;
}

export type StreamCommit = StreamControlMessage & { tag: "stream_commit" };

interface Eager {
  xid: number;
  applier: Applier;
  /** Subtransactions with a savepoint, in the order they were set, with the counters before each. */
  savepoints: { subxid: number; counts: CountsSnapshot }[];
  /** Relations it wrote to. */
  touched: Set<number>;
}

/** Thrown inside an eager apply that must give way to the spool (see the module comment). */
class UseSpool extends Error {}

export class StreamedTransactions {
  private eager: Eager | null = null;
  /** Transactions applied from their spool at commit. */
  private readonly spooled = new Set<number>();

  constructor(
    private readonly hooks: StreamedHooks,
    /** Transactions committed before this position are already on the target. */
    private readonly start: Lsn,
  ) {}

  /** Throws a failure of the transaction being applied as it arrives. */
  throwIfFailed(): void {
    this.eager?.applier.throwIfFailed();
  }

  async blockStarts(xid: number): Promise<void> {
    if (this.eager?.xid === xid) {
      await this.mainCaughtUp();
      return;
    }
    if (this.eager || this.spooled.has(xid)) {
      this.spooled.add(xid);
      return;
    }
    await this.mainCaughtUp();
    const applier = await this.hooks.eagerApplier();
    // The commit LSN and time are not known yet (finalLsn 0 says so); the commit fills them in.
    applier.beginSource({ tag: "begin", finalLsn: 0n, commitTime: new Date(), commitTimeMicros: 0n, xid });
    this.eager = { xid, applier, savepoints: [], touched: new Set() };
  }

  async change(xid: number, subxid: number, message: PgoutputMessage): Promise<void> {
    const eager = this.eager;
    if (eager?.xid !== xid) return; // in the spool, applied at commit
    try {
      if (subxid !== xid && !eager.savepoints.some((s) => s.subxid === subxid)) {
        await eager.applier.execute(`SAVEPOINT ${savepointName(subxid)}`);
        eager.savepoints.push({ subxid, counts: eager.applier.countsSnapshot() });
      }
      let schemaChange = false;
      if (message.tag === "relation") {
        schemaChange = this.hooks.changesSchema(message);
        if (schemaChange && eager.touched.has(message.relationId)) throw new UseSpool();
      } else if (message.tag === "insert" || message.tag === "update" || message.tag === "delete") {
        eager.touched.add(message.relationId);
      } else if (message.tag === "truncate") {
        for (const id of message.relationIds) eager.touched.add(id);
      }
      await this.hooks.apply(message, eager.applier);
      // DDL for it ran on the main connection: commit it before this transaction writes there.
      if (schemaChange) await this.mainCaughtUp();
    } catch (error) {
      if (!(error instanceof UseSpool)) throw error;
      await this.giveWayToSpool(eager);
    }
  }

  async aborted(xid: number, subxid: number): Promise<void> {
    const eager = this.eager;
    if (eager?.xid !== xid) {
      if (subxid === xid) this.spooled.delete(xid);
      return;
    }
    if (subxid === xid) {
      this.eager = null;
      await eager.applier.rollback();
      return;
    }
    const at = eager.savepoints.findIndex((s) => s.subxid === subxid);
    if (at < 0) return; // it changed nothing
    eager.savepoints.splice(at + 1);
    await eager.applier.execute(`ROLLBACK TO SAVEPOINT ${savepointName(subxid)}`);
    // The batch report counts what the target keeps.
    eager.applier.restoreCounts(eager.savepoints[at].counts);
  }

  async committed(commit: StreamCommit, spool: TransactionSpool): Promise<void> {
    const eager = this.eager;
    if (eager?.xid !== commit.xid) {
      this.spooled.delete(commit.xid);
      await this.hooks.replay(commit, spool);
      return;
    }
    this.eager = null;
    try {
      // Every transaction that committed before it goes first, so the stored position never
      // passes one that is not on the target.
      await this.mainCaughtUp();
      if (commit.commitLsn < this.start) {
        await eager.applier.rollback(); // already applied before a restart (defensive: the source skips those)
        return;
      }
      const { flags, commitLsn, endLsn, commitTime, commitTimeMicros } = commit;
      eager.applier.endSource({ tag: "commit", flags, commitLsn, endLsn, commitTime, commitTimeMicros });
      await eager.applier.commit();
      await eager.applier.drain();
      this.hooks.main.advanceTo(endLsn);
      this.hooks.committed();
    } finally {
      spool.discard();
    }
  }

  private async giveWayToSpool(eager: Eager): Promise<void> {
    this.eager = null;
    this.spooled.add(eager.xid);
    await eager.applier.rollback();
  }

  /** The main connection has committed everything it holds, and the target confirmed it. */
  private async mainCaughtUp(): Promise<void> {
    await this.hooks.main.commit();
    await this.hooks.main.drain();
  }
}

function savepointName(subxid: number): string {
  return `pgferry_sub_${subxid}`;
}
