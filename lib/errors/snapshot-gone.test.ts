import { describe, expect, it } from "vitest";
import { isSnapshotGoneError, SnapshotGoneError, TableRewrittenError } from "@/lib/errors/snapshot-gone";

describe("SnapshotGoneError", () => {
  it("carries the reason apart from the message", () => {
    const error = new SnapshotGoneError("invalid snapshot identifier", { snapshotName: "00000003-1B-1" });
    expect(error.reason).toBe("invalid snapshot identifier");
    expect(error.message).toBe("snapshot 00000003-1B-1 is no longer available (invalid snapshot identifier); the initial load must restart with a new snapshot");
    const rewritten = new TableRewrittenError("s1", { schema: "shop", name: "orders" });
    expect(rewritten).toBeInstanceOf(SnapshotGoneError);
    expect(rewritten.reason).toMatch(/^table shop\.orders was truncated or rewritten/);
  });

  it("is recognised in PostgreSQL's own errors and through causes", () => {
    expect(isSnapshotGoneError(Object.assign(new Error("invalid snapshot identifier: \"x\""), { code: "22023" }))).toBe(true);
    expect(isSnapshotGoneError(Object.assign(new Error("other words"), { routine: "ImportSnapshot" }))).toBe(true);
    expect(isSnapshotGoneError(new Error("copy failed", { cause: new SnapshotGoneError("gone") }))).toBe(true);
    expect(isSnapshotGoneError(new Error("duplicate key value"))).toBe(false);
    expect(isSnapshotGoneError(undefined)).toBe(false);
  });
});
