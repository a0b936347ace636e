import { describe, expect, it } from "vitest";
import { TableRewrittenError } from "@/lib/errors/snapshot-gone";
import { COPY_MAX_ATTEMPTS, copyBundle, type CopyFailure, type CopyLedger, type PartitionCopy, SNAPSHOT_GONE } from "./copy-bundle";
import type { CopyPartitionOptions, CopyPartitionResult } from "./partition-copy";

const relation = { schema: "public", name: "items" };

function copyOf(index: number): PartitionCopy {
  const peer = { host: "h", port: 5432, database: "d", user: "u", password: "p", tlsMode: "disable" as const };
  return {
    mirror: "m",
    source: peer,
    target: peer,
    snapshotName: "00000003-00000002-1",
    table: { target: relation, copyColumns: ["id"] },
    partition: { sourceTable: relation, sourceRelation: relation, startBlock: index * 10, endBlock: index * 10 + 10, index, estimatedRows: 100 },
  };
}

/** A ledger in memory that writes down every call. */
function fakeLedger(options: { skip?: number[]; attempt?: number } = {}) {
  const calls: string[] = [];
  const failures: CopyFailure[] = [];
  const ledger: CopyLedger<number> = {
    async claim(id) {
      calls.push(`claim ${id}`);
      return options.skip?.includes(id) ? null : { copy: copyOf(id), attempt: options.attempt ?? 1 };
    },
    progress(id, progress) {
      calls.push(`progress ${id} ${progress.rows}`);
    },
    async done(id, result) {
      calls.push(`done ${id} ${result.rows}`);
    },
    async release(id, error) {
      calls.push(`release ${id} ${error === null ? "-" : "with error"}`);
    },
    async fail(id, failure) {
      calls.push(`fail ${id} ${failure.code}`);
      failures.push(failure);
    },
  };
  return { ledger, calls, failures };
}

const copied = (rows: number) => async (options: CopyPartitionOptions): Promise<CopyPartitionResult> => {
  options.onProgress?.({ rows, bytes: rows * 10, done: true });
  return { skipped: false, rows, bytes: rows * 10, format: "binary", durationMs: 1 };
};
const failing = (error: unknown) => async (): Promise<CopyPartitionResult> => {
  throw error;
};
const signal = new AbortController().signal;

describe("copyBundle", () => {
  it("copies every partition in order, skipping those the ledger has nothing to do for", async () => {
    const { ledger, calls } = fakeLedger({ skip: [2] });
    expect(await copyBundle([1, 2, 3], ledger, { signal, copy: copied(7) })).toBe("done");
    expect(calls).toEqual(["claim 1", "progress 1 7", "done 1 7", "claim 2", "claim 3", "progress 3 7", "done 3 7"]);
  });

  it("fails a partition whose snapshot is gone with its code and reason, and leaves the rest", async () => {
    const { ledger, calls, failures } = fakeLedger();
    const gone = new TableRewrittenError("snap", relation);
    expect(await copyBundle([1, 2], ledger, { signal, copy: failing(gone) })).toBe("failed");
    expect(calls).toEqual(["claim 1", `fail 1 ${SNAPSHOT_GONE}`]);
    expect(failures[0]).toMatchObject({ code: SNAPSHOT_GONE, message: gone.reason, error: gone });
  });

  it("hands a partition back and throws after a passing error, until the attempts run out", async () => {
    const lost = Object.assign(new Error("connection lost"), { code: "08006" });
    const early = fakeLedger({ attempt: 1 });
    await expect(copyBundle([1, 2], early.ledger, { signal, copy: failing(lost) })).rejects.toBe(lost);
    expect(early.calls).toEqual(["claim 1", "release 1 with error"]);

    const last = fakeLedger({ attempt: COPY_MAX_ATTEMPTS });
    expect(await copyBundle([1, 2], last.ledger, { signal, copy: failing(lost) })).toBe("failed");
    expect(last.calls).toEqual(["claim 1", "fail 1 08006"]);
  });

  it("fails at once on an error that retrying cannot fix", async () => {
    const { ledger, calls } = fakeLedger();
    const duplicate = Object.assign(new Error("duplicate key value violates unique constraint"), { code: "23505" });
    expect(await copyBundle([1], ledger, { signal, copy: failing(duplicate) })).toBe("failed");
    expect(calls).toEqual(["claim 1", "fail 1 23505"]);
  });

  it("hands the partition back without an error when stopped", async () => {
    const { ledger, calls } = fakeLedger();
    const stop = new AbortController();
    const stopped = new Error("worker stopping");
    stop.abort(stopped);
    await expect(copyBundle([1, 2], ledger, { signal: stop.signal, copy: failing(stopped) })).rejects.toBe(stopped);
    expect(calls).toEqual(["claim 1", "release 1 -"]);
  });
});
