import { describe, expect, test } from "vitest";
import { formatBytes, formatCount, formatDuration, formatLag, formatPercent, formatTime } from "./format";

describe("formatDuration", () => {
  test("says milliseconds under a second and rounds to whole units above", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(42_400)).toBe("42 s");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(7_800_000)).toBe("2 h 10 min");
    expect(formatDuration(273_600_000)).toBe("3 d 4 h");
  });

  test("shows a dash for what is not known", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(undefined)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
  });
});

describe("the other formatters", () => {
  test("read the same on every page", () => {
    expect(formatBytes(1536)).toBe("1.5 kB");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatCount(1234567.4)).toBe("1,234,567");
    expect(formatPercent(5.25)).toBe("5.3 %");
    expect(formatLag(12_288, 1.44)).toBe("12.0 kB · 1.4 s");
    expect(formatTime("2026-05-01T14:03:07.120Z")).toBe("2026-05-01 14:03:07 UTC");
  });
});
