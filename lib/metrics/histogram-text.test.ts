import { describe, expect, it } from "vitest";
import { histogramText } from "./histogram-text";

describe("histogramText", () => {
  it("writes cumulative buckets, +Inf, sum and count with escaped labels", () => {
    const text = histogramText("x_seconds", "Help.", [0.1, 1], [{ labels: { mirror: 'a"b' }, buckets: [2, 3], count: 4, sum: 5.5 }]);
    expect(text.split("\n")).toEqual([
      "# HELP x_seconds Help.",
      "# TYPE x_seconds histogram",
      'x_seconds_bucket{mirror="a\\"b",le="0.1"} 2',
      'x_seconds_bucket{mirror="a\\"b",le="1"} 3',
      'x_seconds_bucket{mirror="a\\"b",le="+Inf"} 4',
      'x_seconds_sum{mirror="a\\"b"} 5.5',
      'x_seconds_count{mirror="a\\"b"} 4',
      "",
    ]);
  });
});
