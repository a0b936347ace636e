import { describe, expect, it } from "vitest";
import { type Lsn, parseLsn } from "@/lib/pg/lsn";
import type { PgoutputMessage, RelationMessage } from "@/lib/pg/pgoutput";
import { Applier, type ApplierOptions } from "@/workers/cdc/applier";
import type { TablePlan } from "@/workers/cdc/apply-plan";
import { Dispatcher, type SessionReport } from "@/workers/cdc/dispatcher";
import type { Relations } from "@/workers/cdc/relation-plans";
import type { StreamItem } from "@/workers/cdc/replication-stream";
import { readStream } from "@/workers/cdc/stream-reader";
import { FakeTarget, firstColumn, type SentStatement, tablePlan } from "@/workers/cdc/test-fakes";
import type { AppliedBatch, ApplyCeiling } from "@/workers/cdc/types";
import { FollowingCeiling } from "@/workers/mirrors/table-sync/ceiling";

const START = parseLsn("0/1000");

/** Relations known up front: the plans the dispatcher looks up by relation id. */
class FakeRelations implements Relations {
  readonly plans = new Map<number, TablePlan>([[1, tablePlan(1, "a")]]);
  async describe(): Promise<void> {}
  plan(relationId: number): TablePlan | null {
    return this.plans.get(relationId) ?? null;
  }
  changesSchema(message: RelationMessage): boolean {
    return !this.plans.has(message.relationId);
  }
  async ensureEnumLabels(): Promise<void> {}
}

/**
 * A dispatcher over a real Applier on a FakeTarget. Every standby status the dispatcher sends is
 * recorded with what the target had stored at that moment.
 */
function setup(options: { maxBatchRows?: number; maxBatchLatencyMs?: number; idleAckIntervalMs?: number; ceiling?: ApplyCeiling } = {}) {
  const log: SentStatement[] = [];
  const target = new FakeTarget("main", log);
  const eagerTarget = new FakeTarget("eager", log);
  const report: SessionReport & { batches: AppliedBatch[] } = {
    receivedLsn: null,
    appliedLsn: null,
    progressed: false,
    batches: [],
    batch(batch) {
      // As RunState does: a committed batch is what is applied.
      this.appliedLsn = parseLsn(batch.lastLsn);
      this.batches.push(batch);
    },
  };
  const statuses: { acknowledged: Lsn; stored: Lsn | null }[] = [];
  const stream = {
    queued: 0,
    sendStatus: () => statuses.push({ acknowledged: dispatcher.acknowledgeable(), stored: target.stored }),
  };
  const applierOptions: Omit<ApplierOptions, "onCommitted"> = {
    mirror: "m",
    committedLsn: START,
    maxStatementRows: 1_000,
    maxStatementBytes: 1_000_000,
    maxInFlight: 16,
    maxInFlightBytes: 1_000_000,
  };
  const applier = new Applier(target, { ...applierOptions, onCommitted: (batch) => dispatcher.batchCommitted(batch) });
  // One row per statement: a streamed transaction's changes reach the target as they arrive.
  const eager = new Applier(eagerTarget, { ...applierOptions, maxStatementRows: 1, onCommitted: (batch) => report.batch(batch) });
  const dispatcher: Dispatcher = new Dispatcher(
    { applier, eagerApplier: async () => eager, relations: new FakeRelations(), stream, report },
    { start: START, maxBatchRows: options.maxBatchRows ?? 1_000, maxBatchLatencyMs: options.maxBatchLatencyMs ?? 60_000, idleAckIntervalMs: options.idleAckIntervalMs ?? 0, ceiling: options.ceiling },
  );
  return { dispatcher, target, eagerTarget, log, report, statuses, stream };
}

const data = (message: PgoutputMessage): StreamItem => ({ kind: "data", walStart: 0n, walEnd: 0n, message, bytes: 0 });

/** One source transaction inserting `ids` into public.a, committed at `commitLsn`, ending 8 bytes later. */
function transaction(commitLsn: Lsn, ids: number[]): StreamItem[] {
  const commitTime = new Date(1_000);
  return [
    data({ tag: "begin", finalLsn: commitLsn, commitTime, commitTimeMicros: 0n, xid: Number(commitLsn) }),
    ...ids.map((id) => data({ tag: "insert", relationId: 1, newTuple: [String(id), "x"] })),
    data({ tag: "commit", flags: 0, commitLsn, endLsn: commitLsn + 8n, commitTime, commitTimeMicros: 0n }),
  ];
}

async function dispatchAll(dispatcher: Dispatcher, items: StreamItem[]): Promise<void> {
  for (const item of items) await dispatcher.dispatch(item);
}

function insertedIds(log: SentStatement[], target = "main"): string[] {
  return log.filter((statement) => statement.target === target && statement.label.startsWith("INSERT")).flatMap(firstColumn);
}

describe("Dispatcher behind a ceiling (a table's catch-up stream)", () => {
  it("applies a transaction only below the ceiling, commits before it waits, and stops for good at a final ceiling", async () => {
    const ceiling = new FollowingCeiling(0x3000n);
    const { dispatcher, target, log } = setup({ ceiling });
    await dispatchAll(dispatcher, transaction(0x2000n, [1]));
    // 0x4000 is not below the ceiling: what came before is committed, then the stream waits.
    let dispatched = false;
    const held = dispatchAll(dispatcher, transaction(0x4000n, [2])).then(() => (dispatched = true));
    await target.settle();
    expect(target.stored).toBe(0x2008n);
    expect(insertedIds(log)).toEqual(["1"]);
    expect(dispatched).toBe(false);
    expect(ceiling.caughtUp).toBe(true);
    // The main stream applied past it: admitted.
    ceiling.raise(0x4001n);
    await held;
    // The main stream stopped at 0x5000: 0x4800 is still this stream's, 0x5000 the main stream's.
    let finished = false;
    void ceiling.finished.then(() => (finished = true));
    ceiling.finalize(0x5000n);
    await dispatchAll(dispatcher, [...transaction(0x4800n, [3]), ...transaction(0x5000n, [4]), ...transaction(0x6000n, [5])]);
    await dispatcher.dispatch({ kind: "keepalive", walEnd: 0x7000n, replyRequested: false });
    await dispatcher.stop();
    await target.settle();
    expect(insertedIds(log)).toEqual(["1", "2", "3"]);
    expect(target.stored).toBe(0x4808n);
    expect(finished).toBe(true);
  });

  it("finishes at a keepalive past a final ceiling when no transaction of its tables comes", async () => {
    const ceiling = new FollowingCeiling(0x3000n);
    const { dispatcher, target } = setup({ ceiling });
    await dispatchAll(dispatcher, transaction(0x2000n, [1]));
    ceiling.finalize(0x3000n);
    await dispatcher.dispatch({ kind: "keepalive", walEnd: 0x2f00n, replyRequested: false });
    await target.settle();
    let finished = false;
    void ceiling.finished.then(() => (finished = true));
    await Promise.resolve();
    expect(finished).toBe(false);
    await dispatcher.dispatch({ kind: "keepalive", walEnd: 0x3100n, replyRequested: false });
    await ceiling.finished;
    // Its own position may pass the ceiling: nothing of its tables was committed in between.
    expect(target.stored).toBe(0x3100n);
  });
});

describe("Dispatcher", () => {
  it("acknowledges only what the target has committed, never what was merely received", async () => {
    const { dispatcher, target, report, statuses } = setup();
    target.autoAnswer = false;
    await dispatchAll(dispatcher, transaction(0x2000n, [1, 2]));
    dispatcher.received(0x9000n);

    // The batch's COMMIT is on the wire (nothing else was queued), but unanswered.
    expect(target.labels).toEqual(["BEGIN", "INSERT public.a", "progress 0/2008", "COMMIT"]);
    expect(dispatcher.acknowledgeable()).toBe(START);
    expect(report.receivedLsn).toBe(0x9000n);

    target.answer();
    await target.settle();
    expect(dispatcher.acknowledgeable()).toBe(0x2008n);
    expect(report.appliedLsn).toBe(0x2008n);
    expect(statuses.length).toBeGreaterThan(0);
    for (const status of statuses) expect(status.acknowledged <= (status.stored ?? START)).toBe(true);
    expect(statuses.at(-1)!.acknowledged).toBe(0x2008n);
  });

  it("stores a keepalive position while idle before confirming it, and ignores keepalives inside a transaction", async () => {
    const { dispatcher, target, statuses } = setup();
    const [begin, insert, commit] = transaction(0x3000n, [1]);
    await dispatchAll(dispatcher, [begin, insert, { kind: "keepalive", walEnd: 0x7000n, replyRequested: false }, commit]);
    await target.settle();
    expect(target.stored).toBe(0x3008n);
    expect(dispatcher.acknowledgeable()).toBe(0x3008n);

    await dispatcher.dispatch({ kind: "keepalive", walEnd: 0x5000n, replyRequested: false });
    await target.settle();
    expect(target.stored).toBe(0x5000n);
    expect(dispatcher.acknowledgeable()).toBe(0x5000n);
    expect(statuses.at(-1)).toEqual({ acknowledged: 0x5000n, stored: 0x5000n });
    for (const status of statuses) expect(status.acknowledged <= (status.stored ?? START)).toBe(true);
  });

  it("skips transactions that committed before the session's start", async () => {
    const { dispatcher, target, log } = setup();
    await dispatchAll(dispatcher, [...transaction(0x0800n, [1]), ...transaction(0x2000n, [2])]);
    await target.settle();
    expect(insertedIds(log)).toEqual(["2"]);
    expect(target.stored).toBe(0x2008n);
  });

  it("keeps source transactions whole and in commit order, many per batch while the stream is busy", async () => {
    const { dispatcher, target, log, report, stream } = setup({ maxBatchRows: 4 });
    stream.queued = 10;
    await dispatchAll(dispatcher, [...transaction(0x2000n, [1, 2]), ...transaction(0x2100n, [3]), ...transaction(0x2200n, [4, 5]), ...transaction(0x2300n, [6])]);
    stream.queued = 0;
    await dispatcher.idle();
    await target.settle();
    expect(insertedIds(log)).toEqual(["1", "2", "3", "4", "5", "6"]);
    // Four rows fill the first batch at a source commit; the rest commit once the stream is quiet.
    expect(target.labels.filter((label) => label === "COMMIT" || label.startsWith("progress"))).toEqual([
      "progress 0/2208",
      "COMMIT",
      "progress 0/2308",
      "COMMIT",
    ]);
    expect(report.batches.map((batch) => [batch.rows, batch.transactions, batch.lastLsn])).toEqual([
      [5, 3, "0/2208"],
      [1, 1, "0/2308"],
    ]);
  });

  it("commits what the main connection holds before a large transaction is applied as it streams", async () => {
    const { dispatcher, eagerTarget, log, stream } = setup();
    const streamed = (message: PgoutputMessage): StreamItem => ({ kind: "streamChange", xid: 77, subxid: 77, message, bytes: 0 });
    // A busy stream: transaction 0x2000 stays in the open batch of the main connection.
    stream.queued = 5;
    await dispatchAll(dispatcher, transaction(0x2000n, [1]));
    expect(log.some((statement) => statement.label === "COMMIT")).toBe(false);

    await dispatcher.dispatch({ kind: "streamStart", xid: 77 });
    await dispatcher.dispatch(streamed({ tag: "insert", relationId: 1, newTuple: ["100", "x"] }));
    await dispatcher.dispatch(streamed({ tag: "insert", relationId: 1, newTuple: ["101", "x"] }));
    await dispatcher.dispatch({
      kind: "streamed",
      commit: { tag: "stream_commit", xid: 77, flags: 0, commitLsn: 0x3000n, endLsn: 0x3008n, commitTime: new Date(), commitTimeMicros: 0n },
      spool: { discard: () => {}, messages: () => [] } as never,
    });
    await eagerTarget.settle();

    // Transaction 0x2000 committed on the main connection before the streamed one wrote anything.
    const mainCommit = log.findIndex((statement) => statement.target === "main" && statement.label === "COMMIT");
    const firstEager = log.findIndex((statement) => statement.target === "eager");
    expect(mainCommit).toBeGreaterThanOrEqual(0);
    expect(firstEager).toBeGreaterThan(mainCommit);
    expect(insertedIds(log, "eager")).toEqual(["100", "101"]);
    expect(eagerTarget.stored).toBe(0x3008n);
    expect(dispatcher.acknowledgeable()).toBe(0x3008n);
  });

  it("reads the stream in order until aborted, then commits the complete transactions", async () => {
    const { dispatcher, target, log, stream } = setup();
    stream.queued = 1;
    const items = [...transaction(0x2000n, [1]), ...transaction(0x2100n, [2])];
    const controller = new AbortController();
    const source = {
      lastReceivedLsn: 0n,
      async next(): Promise<StreamItem | null> {
        const item = items.shift() ?? null;
        if (!items.length) controller.abort();
        return item;
      },
    };
    await readStream(source, dispatcher, controller.signal, 10);
    await target.settle();
    // The stream stayed busy, so only stopping committed the batch.
    expect(insertedIds(log)).toEqual(["1", "2"]);
    expect(target.labels.filter((label) => label === "COMMIT")).toHaveLength(1);
    expect(target.stored).toBe(0x2108n);
  });
});
