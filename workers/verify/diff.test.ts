import { describe, expect, it } from "vitest";
import {
  addExamples,
  bucketPrefixLength,
  diffKeyed,
  diffMultiset,
  differingBuckets,
  groups,
  keyedRows,
  keyObject,
  sameSummary,
  stillDifferent,
} from "./diff";
import type { DifferenceExample } from "./types";

describe("comparison steps", () => {
  it("names missing, extra and changed keys", () => {
    const source = keyedRows([["1", "a"], ["2", "b"], ["3", "c"]], 1);
    const target = keyedRows([["1", "a"], ["3", "x"], ["4", "d"]], 1);
    expect([...diffKeyed(source, target)]).toEqual([
      ['["2"]', "missing"],
      ['["3"]', "changed"],
      ['["4"]', "extra"],
    ]);
  });

  it("keeps composite keys apart and turns them back into column objects", () => {
    const rows = keyedRows([["1", "a,b", "h1"], ["1,a", "b", "h2"]], 2);
    expect(rows.size).toBe(2);
    expect(keyObject(["id", "name"], '["1","a,b"]')).toEqual({ id: "1", name: "a,b" });
  });

  it("counts a difference only when every read saw it", () => {
    const first = new Map([["a", "changed"], ["b", "missing"]]);
    const second = new Map([["b", "missing"], ["c", "extra"]]);
    expect([...stillDifferent(null, first).keys()]).toEqual(["a", "b"]);
    expect([...stillDifferent(first, second)]).toEqual([["b", "missing"]]);
  });

  it("compares multisets by count per hash", () => {
    const source = new Map([["h1", 2], ["h2", 1]]);
    const target = new Map([["h1", 1], ["h3", 4]]);
    expect([...diffMultiset(source, target)]).toEqual([["h1", 1], ["h2", 1], ["h3", -4]]);
    expect(diffMultiset(source, new Map(source)).size).toBe(0);
  });

  it("finds buckets that differ or exist on one side only", () => {
    const s = new Map([["0", { n: "2", s: "5" }], ["1", { n: "1", s: "1" }]]);
    const t = new Map([["0", { n: "2", s: "5" }], ["2", { n: "1", s: "1" }]]);
    expect(differingBuckets(s, t)).toEqual(["1", "2"]);
    expect(sameSummary(undefined, { n: "0", s: "0" })).toBe(true);
  });

  it("sizes buckets to about a chunk and caps their number", () => {
    expect(bucketPrefixLength(0, 10_000)).toBe(1);
    expect(bucketPrefixLength(5_000_000, 10_000)).toBe(3);
    expect(bucketPrefixLength(1e12, 10_000)).toBe(4);
  });

  it("keeps at most the wanted number of examples but counts all differences", () => {
    const examples: DifferenceExample[] = [];
    const found = Array.from({ length: 150 }, (_, i) => ({ kind: "missing" as const, key: { id: String(i) } }));
    expect(addExamples(examples, found, 100)).toBe(150);
    expect(examples).toHaveLength(100);
    expect(groups([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(groups([1, 2], 0)).toEqual([[1], [2]]);
  });
});
