/**
 * The apply connection in pipeline mode: statements go on the wire without waiting for the answer
 * to the one before, inside one target transaction, and answers come back in the order sent.
 *
 * - Flow control: once more than `maxInFlight` statements (or `maxInFlightBytes` of values) are
 *   unanswered, `throttle()` waits for the oldest. The stream is not read meanwhile, which is the
 *   backpressure that keeps memory bounded during a large transaction.
 * - Failures: a statement behind a failed one fails too ("current transaction is aborted"). The
 *   failure kept is the earliest statement's, the cause; `throwIfFailed()` rethrows it.
 */
import type pg from "pg";

/** The one thing the pipeline needs of a node-postgres client (a fake in unit tests). */
export interface TargetClient {
  query(query: pg.QueryConfig): Promise<TargetAnswer>;
}

/** The part of a statement's answer CDC reads. */
export interface TargetAnswer {
  /** The command tag: "COMMIT", or "ROLLBACK" for a COMMIT of a transaction a statement aborted. */
  command: string;
  rowCount: number | null;
}

export interface PipelineLimits {
  /** Statements on the wire before the sender waits for the oldest. */
  maxInFlight: number;
  /** Bytes of values on the wire before the sender waits for the oldest statement. */
  maxInFlightBytes: number;
}

interface InFlight {
  promise: Promise<unknown>;
  bytes: number;
}

export class TargetPipeline {
  private txOpen = false;
  private readonly inflight: InFlight[] = [];
  private inflightBytes = 0;
  private failure: unknown = null;
  private failureSequence = 0;
  private sent = 0;

  constructor(
    private readonly client: TargetClient,
    private readonly limits: PipelineLimits,
    /** Called once when a statement fails, so an idle caller can wake up and call throwIfFailed(). */
    private readonly onFailure?: () => void,
  ) {}

  /** True between the BEGIN sent by the first statement and the COMMIT or ROLLBACK that ends it. */
  get inTransaction(): boolean {
    return this.txOpen;
  }

  /**
   * Puts a statement on the wire inside the target transaction (BEGIN first when none is open);
   * does not wait for its answer. The caller may read the answer; failures also surface through
   * throwIfFailed().
   */
  send(query: pg.QueryConfig, bytes: number): Promise<TargetAnswer> {
    this.begin();
    const answer = this.client.query(query);
    this.track(answer, bytes);
    return answer;
  }

  /**
   * Ends the target transaction with COMMIT, pipelined; `onCommitted` runs when the target answers
   * COMMIT, before anything sent later is settled. A COMMIT of a transaction that an earlier
   * statement aborted is answered with the tag ROLLBACK: that is a failure, never a commit (the
   * statement's own error is kept, as the earlier one).
   */
  commit(onCommitted: () => void): void {
    this.txOpen = false;
    const done = this.client.query({ text: "COMMIT" }).then((answer) => {
      if (answer.command !== "COMMIT") throw new Error(`target transaction ended with ${answer.command} instead of COMMIT`);
      onCommitted();
    });
    this.track(done, 0);
  }

  /** Ends the target transaction with ROLLBACK, pipelined (nothing is sent when none is open). */
  rollback(): void {
    if (!this.txOpen) return;
    this.txOpen = false;
    this.track(this.client.query({ text: "ROLLBACK" }), 0);
  }

  /** Runs `sql` once everything before it has been answered (DDL that the next statements depend on). */
  async runAlone(sql: string): Promise<void> {
    this.begin();
    await this.drain();
    await this.client.query({ text: sql });
  }

  /** Runs `query` outside any transaction; only when nothing is open or on the wire. */
  async runOutside(query: pg.QueryConfig): Promise<void> {
    await this.client.query(query);
  }

  /** Waits for the oldest statements while too many, or too many bytes, are on the wire. */
  async throttle(): Promise<void> {
    while (this.inflight.length > this.limits.maxInFlight || (this.inflightBytes > this.limits.maxInFlightBytes && this.inflight.length > 1)) {
      await this.settleOldest();
    }
  }

  /** Waits until everything sent has been answered; throws the first failure. */
  async drain(): Promise<void> {
    while (this.inflight.length) await this.settleOldest();
  }

  /** Throws the first failure of anything sent (a pipelined statement can fail while nothing else is sent). */
  throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  private begin(): void {
    if (this.txOpen) return;
    this.txOpen = true;
    this.track(this.client.query({ text: "BEGIN" }), 0);
  }

  private track(promise: Promise<unknown>, bytes: number): void {
    // Recording the failure here also keeps it from being "unhandled" while it waits for
    // settleOldest() to rethrow it.
    const sequence = this.sent++;
    promise.catch((error: unknown) => {
      const first = this.failure === null;
      if (first || sequence < this.failureSequence) {
        this.failure = error ?? new Error("target statement failed");
        this.failureSequence = sequence;
      }
      if (first) this.onFailure?.();
    });
    this.inflight.push({ promise, bytes });
    this.inflightBytes += bytes;
  }

  private async settleOldest(): Promise<void> {
    const oldest = this.inflight.shift()!;
    this.inflightBytes -= oldest.bytes;
    await oldest.promise.catch(() => {});
    this.throwIfFailed();
  }
}
