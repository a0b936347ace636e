import { describe, expect, it } from "vitest";
import { assignLanes } from "./load-order";

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
