import { describe, expect, it } from "vitest";
import { formatLsn, type Lsn, parseLsn } from "@/lib/pg/lsn";
import type { BeginMessage, CommitMessage, UpdateMessage } from "@/lib/pg/pgoutput";
import { Applier, type ApplierOptions } from "@/workers/cdc/applier";
import { FakeTarget, firstColumn, tablePlan } from "@/workers/cdc/test-fakes";
import type { AppliedBatch } from "@/workers/cdc/types";

const A = tablePlan(1, "a");
const B = tablePlan(2, "b");
const START = parseLsn("0/100");

function setup(options: Partial<ApplierOptions> = {}) {
  const target = new FakeTarget();
  const batches: AppliedBatch[] = [];
  const applier = new Applier(target, {
    mirror: "m",
    committedLsn: START,
    maxStatementRows: 100,
    maxStatementBytes: 1_000_000,
    maxInFlight: 16,
    maxInFlightBytes: 1_000_000,
    onCommitted: (batch) => batches.push(batch),
    ...options,
  });
  return { target, applier, batches };
}

function begin(finalLsn: Lsn): BeginMessage {
  return { tag: "begin", finalLsn, commitTime: new Date(1_000), commitTimeMicros: 0n, xid: 1 };
}

function commit(commitLsn: Lsn, endLsn: Lsn): CommitMessage {
  return { tag: "commit", flags: 0, commitLsn, endLsn, commitTime: new Date(2_000), commitTimeMicros: 0n };
}

function update(id: string, v: string): UpdateMessage {
  return { tag: "update", relationId: 1, oldKind: null, oldTuple: null, newTuple: [id, v] };
}

/** One source transaction of inserts into `plan`, ending at `end`. */
async function insertTransaction(applier: Applier, plan: typeof A, ids: string[], end: Lsn): Promise<void> {
  applier.beginSource(begin(end - 8n));
  for (const id of ids) await applier.insert(plan, [id, `v${id}`]);
  applier.endSource(commit(end - 8n, end));
}

describe("Applier", () => {
  it("sends statements in the order the changes came, one multi-row statement per run", async () => {
    const { target, applier } = setup();
    applier.beginSource(begin(0x1f8n));
    await applier.insert(A, ["1", "x"]);
    await applier.insert(A, ["2", "x"]);
    await applier.insert(B, ["10", "x"]);
    await applier.update(A, update("1", "y"));
    await applier.insert(A, ["3", "x"]);
    await applier.delete(A, { tag: "delete", relationId: 1, oldKind: "key", oldTuple: ["2", null] });
    applier.endSource(commit(0x1f8n, 0x200n));
    await applier.commit();
    await applier.drain();

    expect(target.labels).toEqual([
      "BEGIN",
      "INSERT public.a",
      "INSERT public.b",
      "UPDATE public.a",
      "INSERT public.a",
      "DELETE public.a",
      "progress 0/200",
      "COMMIT",
    ]);
    const rows = target.log.filter((statement) => statement.label !== "BEGIN" && !statement.label.startsWith("progress") && statement.label !== "COMMIT");
    expect(rows.map(firstColumn)).toEqual([["1", "2"], ["10"], ["1"], ["3"], ["2"]]);
    expect(target.stored).toBe(0x200n);
  });

  it("splits a run at maxStatementRows and merges a key updated twice in one run (the later values win)", async () => {
    const { target, applier } = setup({ maxStatementRows: 2 });
    applier.beginSource(begin(0x1f8n));
    for (const id of ["1", "2", "3"]) await applier.insert(A, [id, "x"]);
    await applier.update(A, update("7", "first"));
    await applier.update(A, update("7", "second"));
    applier.endSource(commit(0x1f8n, 0x200n));
    await applier.commit();
    await applier.drain();

    const rows = target.log.filter((statement) => statement.label === "INSERT public.a" || statement.label === "UPDATE public.a");
    expect(rows.map((statement) => [statement.label, firstColumn(statement)])).toEqual([
      ["INSERT public.a", ["1", "2"]],
      ["INSERT public.a", ["3"]],
      ["UPDATE public.a", ["7"]],
    ]);
    expect(rows[2].values[1]).toBe('{"second"}');
  });

  it("sends a primary-key change after the changes before it", async () => {
    const { target, applier } = setup();
    applier.beginSource(begin(0x1f8n));
    await applier.insert(A, ["1", "x"]);
    await applier.update(A, { tag: "update", relationId: 1, oldKind: "key", oldTuple: ["1", null], newTuple: ["2", "x"] });
    await applier.insert(A, ["1", "again"]);
    applier.endSource(commit(0x1f8n, 0x200n));
    await applier.commit();
    await applier.drain();
    expect(target.labels).toEqual(["BEGIN", "INSERT public.a", "UPDATE public.a", "INSERT public.a", "progress 0/200", "COMMIT"]);
    expect(target.log[2].values).toEqual(["2", "x", "1"]);
  });

  it("moves the committed position, and reports batches, only when the target answers COMMIT, in commit order", async () => {
    const { target, applier, batches } = setup();
    target.autoAnswer = false;
    await insertTransaction(applier, A, ["1"], 0x200n);
    await applier.commit();
    await insertTransaction(applier, A, ["2", "3"], 0x300n);
    await applier.commit();

    // Both batches are on the wire, nothing is answered: nothing may be confirmed yet.
    expect(target.labels).toEqual(["BEGIN", "INSERT public.a", "progress 0/200", "COMMIT", "BEGIN", "INSERT public.a", "progress 0/300", "COMMIT"]);
    expect(applier.committedLsn).toBe(START);
    expect(applier.busy).toBe(true);

    target.answer(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(applier.committedLsn).toBe(0x200n);
    expect(target.stored).toBe(0x200n);

    target.answer();
    await applier.drain();
    expect(applier.committedLsn).toBe(0x300n);
    expect(batches.map((batch) => [batch.lastLsn, batch.rows, batch.transactions])).toEqual([
      [formatLsn(0x200n), 1, 1],
      [formatLsn(0x300n), 2, 1],
    ]);
    expect(batches[1]).toMatchObject({ firstLsn: formatLsn(0x2f8n), inserts: 2, tables: [{ table: "public.a", inserts: 2 }] });
  });

  it("never counts a COMMIT answered with ROLLBACK: the failed statement's error surfaces, the position stays", async () => {
    const { target, applier, batches } = setup();
    target.failing.add("INSERT public.b");
    await insertTransaction(applier, A, ["1"], 0x200n);
    await insertTransaction(applier, B, ["2"], 0x300n);
    await applier.commit();
    await expect(applier.drain()).rejects.toThrow("INSERT public.b failed");
    // Everything behind it failed too ("aborted", COMMIT answered ROLLBACK): the cause is kept.
    await target.settle();
    expect(target.labels.slice(-2)).toEqual(["progress 0/300", "COMMIT"]);
    expect(applier.committedLsn).toBe(START);
    expect(batches).toEqual([]);
    expect(target.stored).toBe(null);
    expect(() => applier.throwIfFailed()).toThrow("INSERT public.b failed");
  });

  it("keeps at most maxInFlight statements unanswered", async () => {
    const { target, applier } = setup({ maxStatementRows: 1, maxInFlight: 3 });
    target.autoAnswer = false;
    applier.beginSource(begin(0x1f8n));
    let most = 0;
    let done = false;
    const inserts = (async () => {
      for (let id = 1; id <= 10; id++) {
        await applier.insert(A, [String(id), "x"]);
        most = Math.max(most, target.unanswered);
      }
      done = true;
    })();
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      target.answer(1);
    }
    await inserts;
    expect(most).toBeLessThanOrEqual(3);
    expect(target.log.filter((statement) => statement.label === "INSERT public.a").map(firstColumn).flat()).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  });

  it("stores an idle position before it counts as committed", async () => {
    const { target, applier } = setup();
    target.autoAnswer = false;
    applier.notePosition(0x500n);
    const persisted = applier.persistPosition();
    await new Promise((resolve) => setImmediate(resolve));
    expect(target.labels).toEqual(["progress 0/500"]);
    expect(applier.committedLsn).toBe(START);
    target.answer();
    expect(await persisted).toBe(true);
    expect(target.stored).toBe(0x500n);
    expect(applier.committedLsn).toBe(0x500n);
    // Nothing new: nothing to store.
    expect(await applier.persistPosition()).toBe(false);
  });

  it("does not store an idle position while a batch is open", async () => {
    const { target, applier } = setup();
    applier.beginSource(begin(0x1f8n));
    await applier.insert(A, ["1", "x"]);
    applier.notePosition(0x500n);
    expect(await applier.persistPosition()).toBe(false);
    expect(target.labels.some((label) => label.startsWith("progress"))).toBe(false);
  });

  it("counts rows the target did not have", async () => {
    const { target, applier, batches } = setup();
    const query = target.query.bind(target);
    target.query = async (config) => {
      const answer = await query(config);
      return config.text.startsWith("DELETE") ? { ...answer, rowCount: 1 } : answer;
    };
    applier.beginSource(begin(0x1f8n));
    for (const id of ["1", "2", "3"]) await applier.delete(A, { tag: "delete", relationId: 1, oldKind: "key", oldTuple: [id, null] });
    applier.endSource(commit(0x1f8n, 0x200n));
    await applier.commit();
    await applier.drain();
    expect(batches).toMatchObject([{ deletes: 3, missingRows: 2 }]);
  });

  it("rolls back an abandoned transaction: nothing of it is reported or stored", async () => {
    const { target, applier, batches } = setup();
    applier.beginSource(begin(0n));
    await applier.insert(A, ["1", "x"]);
    await applier.flushRun();
    await applier.insert(A, ["2", "x"]);
    await applier.rollback();
    expect(target.labels).toEqual(["BEGIN", "INSERT public.a", "ROLLBACK"]);
    expect(applier.open).toBe(false);
    await applier.commit();
    expect(batches).toEqual([]);
    expect(target.stored).toBe(null);
  });
});
