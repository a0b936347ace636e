import { describe, expect, it } from "vitest";
import { lagSecondsFrom, measureLag } from "./lag-measure";

describe("measureLag", () => {
  it("counts from the slot's confirmed position when nothing streams", () => {
    expect(measureLag({ sourceLsn: "0/3000100", confirmedFlushLsn: "0/3000000", lastAppliedLsn: null })).toEqual({ appliedLsn: "0/3000000", lagBytes: 256n });
  });

  it("uses what the target applied when the stream is ahead of the confirmation", () => {
    expect(measureLag({ sourceLsn: "0/3000100", confirmedFlushLsn: "0/3000000", lastAppliedLsn: "0/3000080" })).toEqual({ appliedLsn: "0/3000080", lagBytes: 128n });
  });

  it("never goes negative, and is 0 without any position", () => {
    expect(measureLag({ sourceLsn: "0/10", confirmedFlushLsn: "0/20", lastAppliedLsn: null }).lagBytes).toBe(0n);
    expect(measureLag({ sourceLsn: "1/0", confirmedFlushLsn: null, lastAppliedLsn: null })).toEqual({ appliedLsn: null, lagBytes: 0n });
  });

  it("spans the 32-bit halves of an LSN", () => {
    expect(measureLag({ sourceLsn: "2/0", confirmedFlushLsn: "1/FFFFFF00", lastAppliedLsn: "0/5" }).lagBytes).toBe(256n);
  });
});

describe("lagSecondsFrom", () => {
  it("is 0 when nothing waits and the age of the oldest waiting change otherwise", () => {
    expect(lagSecondsFrom(0n, new Date(0), 10_000)).toBe(0);
    expect(lagSecondsFrom(5n, null, 10_000)).toBe(0);
    expect(lagSecondsFrom(5n, new Date(4_000), 10_000)).toBe(6);
  });
});
