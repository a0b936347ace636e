import { describe, expect, it } from "vitest";
import { assignLanes, BUNDLE_MAX_PARTITIONS, BUNDLE_MAX_ROWS, bundleSmallPartitions, largestFirst, rowsPerPartitionFor, SMALL_PARTITION_ROWS } from "./load-order";

describe("assignLanes", () => {
  it("interleaves at most tablesInParallel tables and deals them over the lanes", () => {
    const tables = [["a1", "a2", "a3"], ["b1"], ["c1", "c2"]];
    const lanes = assignLanes(tables, 2, 2);
    // Copy order: a1 b1 | a2 c1 | a3 c2 (b runs out, c takes its place), dealt over two lanes.
    expect(lanes).toEqual([
      ["a1", "a2", "a3"],
      ["b1", "c1", "c2"],
    ]);
    expect(lanes.flat().sort()).toEqual(tables.flat().sort());
  });

  it("uses one lane per partition at most and skips empty tables", () => {
    expect(assignLanes([["x"], []], 4, 4)).toEqual([["x"]]);
  });
});

describe("bundleSmallPartitions", () => {
  const p = (name: string, estimatedRows: number) => ({ name, estimatedRows });

  it("shares a job between neighbouring small partitions and keeps large ones alone, in lane order", () => {
    const lane = [p("s1", 10), p("s2", 0), p("big", SMALL_PARTITION_ROWS + 1), p("s3", 5), p("s4", SMALL_PARTITION_ROWS)];
    expect(bundleSmallPartitions(lane).map((b) => b.map((x) => x.name))).toEqual([["s1", "s2"], ["big"], ["s3", "s4"]]);
  });

  it("caps a bundle by partitions and by rows", () => {
    const many = Array.from({ length: BUNDLE_MAX_PARTITIONS * 2 + 1 }, (_, i) => p(`t${i}`, 1));
    expect(bundleSmallPartitions(many).map((b) => b.length)).toEqual([BUNDLE_MAX_PARTITIONS, BUNDLE_MAX_PARTITIONS, 1]);
    const heavy = Array.from({ length: 6 }, (_, i) => p(`h${i}`, SMALL_PARTITION_ROWS));
    const bundles = bundleSmallPartitions(heavy);
    expect(bundles.every((b) => b.reduce((n, x) => n + x.estimatedRows, 0) <= BUNDLE_MAX_ROWS)).toBe(true);
    expect(bundles.flat()).toEqual(heavy);
  });
});

describe("rowsPerPartitionFor", () => {
  it("keeps small tables whole and splits large ones into a multiple of the lanes", () => {
    const settings = { rowsPerPartition: 1_000_000, parallelCopyWorkers: 4 };
    expect(rowsPerPartitionFor(900_000, settings)).toBe(1_000_000);
    // 5,000,000 rows: 5 partitions of 1M would leave one lane working alone; 8 of 625k do not.
    expect(rowsPerPartitionFor(5_000_000, settings)).toBe(625_000);
    expect(rowsPerPartitionFor(4_000_000, settings)).toBe(1_000_000);
    expect(Math.ceil(9_000_000 / rowsPerPartitionFor(9_000_000, settings)) % 4).toBe(0);
  });
});

describe("largestFirst", () => {
  it("orders tables by their estimated rows, largest first, keeping the order of equal ones", () => {
    const p = (name: string, estimatedRows: number) => ({ name, estimatedRows });
    const tables = [[p("a", 10)], [p("big1", 300), p("big2", 300)], [p("b", 10)], [p("c", 50)], []];
    expect(largestFirst(tables).map((t) => t.map((x) => x.name).join("+"))).toEqual(["big1+big2", "c", "a", "b", ""]);
  });
});
