import type { Lsn } from "@/lib/pg/lsn";
import type { ApplyCeiling } from "@/workers/cdc/types";

/**
 * The bound of a table's catch-up stream: the position the mirror's main stream has committed on the
 * target. The catch-up stream applies a source transaction only below it, so it never runs ahead of
 * the main stream; at the handover the main stream stops at a known position, the bound becomes
 * final there, and the catch-up stream finishes once it applied everything below it. From that
 * position on the main stream applies the table: each transaction is applied by exactly one of them.
 */
export class FollowingCeiling implements ApplyCeiling {
  private bound: Lsn;
  private isFinal = false;
  private wake: (() => void) | null = null;
  private waiting = false;
  private passedLsn: Lsn = 0n;
  private finish!: () => void;
  /** Resolves once the bound is final and everything below it was applied. */
  readonly finished: Promise<void>;

  /** The catch-up stream is being stopped (see abandon). */
  private abandoned = false;

  constructor(start: Lsn) {
    this.bound = start;
    this.finished = new Promise((resolve) => (this.finish = resolve));
  }

  /** The main stream committed up to `lsn`. */
  raise(lsn: Lsn | null): void {
    if (this.isFinal || lsn === null || lsn <= this.bound) return;
    this.bound = lsn;
    this.wake?.();
  }

  /** The main stream stopped at `lsn` (its position stored on the target). */
  finalize(lsn: Lsn): void {
    this.bound = lsn;
    this.isFinal = true;
    if (this.passedLsn >= lsn) this.finish();
    this.wake?.();
  }

  /** The current bound: what the main stream has applied, or where it stopped. */
  get position(): Lsn {
    return this.bound;
  }

  /**
   * The catch-up stream is being stopped (the mirror paused, the worker stopping): a transaction it
   * waits to admit never will be, so the stream's read loop can end. Not a finish.
   */
  abandon(): void {
    this.abandoned = true;
    this.wake?.();
  }

  /** True when the catch-up stream has nothing below the bound left to apply (it waits, or passed it). */
  get caughtUp(): boolean {
    return this.waiting || this.passedLsn >= this.bound;
  }

  async admit(commitLsn: Lsn): Promise<boolean> {
    while (commitLsn >= this.bound) {
      if (this.isFinal || this.abandoned) return false;
      this.waiting = true;
      try {
        await new Promise<void>((resolve) => (this.wake = resolve));
      } finally {
        this.waiting = false;
        this.wake = null;
      }
    }
    return true;
  }

  passed(lsn: Lsn): void {
    if (lsn > this.passedLsn) this.passedLsn = lsn;
    if (this.isFinal && this.passedLsn >= this.bound) this.finish();
  }
}
