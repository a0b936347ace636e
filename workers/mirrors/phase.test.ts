import { describe, expect, it } from "vitest";
import { describePhase } from "./phase";

describe("describePhase", () => {
  it("names every phase of finishing a load, the key build first", () => {
    expect(describePhase("primary_keys")).toBe("building primary keys");
    expect(describePhase("post_data")).toBe("reading the source's indexes, constraints and views");
    expect(describePhase("post_data", { total: 12, done: 7, step: "indexes", current: { name: "orders_customer_idx", percent: 64 } })).toBe(
      "building indexes: 7/12, orders_customer_idx 64 %",
    );
    expect(describePhase("sequences")).toBe("syncing sequences");
    expect(describePhase("analyze")).toBe("analyzing tables");
  });
});
