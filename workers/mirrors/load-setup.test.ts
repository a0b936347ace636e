import { describe, expect, it } from "vitest";
import { rowsPerPartitionFor } from "./load-setup";

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
