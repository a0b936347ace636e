import { describe, expect, test } from "vitest";
import { formatBytes, formatCount, formatDuration, formatLag, formatPercent, formatTime } from "./format";

describe("formatDuration", () => {
  test.each([
    [850, "850 ms"],
    [42_400, "42 s"],
    [185_000, "3 min 5 s"],
    [7_800_000, "2 h 10 min"],
    [273_600_000, "3 d 4 h"],
    [null, "—"],
    [undefined, "—"],
    [Number.NaN, "—"],
  ])("%s ms reads %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

test("the other formatters read the same on every page", () => {
  expect(formatBytes(1536)).toBe("1.5 kB");
  expect(formatBytes(512)).toBe("512 B");
  expect(formatCount(1234567.4)).toBe("1,234,567");
  expect(formatPercent(5.25)).toBe("5.3 %");
  expect(formatLag(12_288, 1.44)).toBe("12.0 kB · 1.4 s");
  expect(formatTime("2026-05-01T14:03:07.120Z")).toBe("2026-05-01 14:03:07 UTC");
});
