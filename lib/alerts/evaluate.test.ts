import { describe, expect, it } from "vitest";
import { evaluateAlerts, formatBytes, type MirrorHealth } from "./evaluate";

const base: MirrorHealth = {
  name: "m",
  status: "running",
  mode: "cdc",
  slotName: "pgferry_m",
  errorMessage: null,
  lagBytes: 0,
  lagSeconds: 0,
  retainedBytes: 0,
  slotInactiveSince: null,
};
const all = { webhookUrl: "http://hook", lagSeconds: 60, retainedWalBytes: 1024 * 1024, slotInactiveMinutes: 10 };

describe("evaluateAlerts", () => {
  it("holds nothing for a healthy mirror", () => {
    expect([...evaluateAlerts(base, all).keys()]).toEqual([]);
  });

  it("says a failed mirror failed, with its cause, whatever the thresholds", () => {
    const firing = evaluateAlerts({ ...base, status: "failed", errorMessage: "CHECK refused" }, { webhookUrl: "http://hook" });
    expect(firing.get("mirror_failed")).toBe("CHECK refused");
  });

  it("fires each threshold at or above its value, and not when it is left out", () => {
    const now = Date.UTC(2026, 0, 1, 12);
    const late = { ...base, status: "paused", lagSeconds: 60, lagBytes: 5000, retainedBytes: 2 * 1024 * 1024, slotInactiveSince: new Date(now - 11 * 60_000) };
    expect([...evaluateAlerts(late, all, now).keys()].sort()).toEqual(["lag_high", "slot_inactive", "wal_retained_high"]);
    expect(evaluateAlerts(late, all, now).get("wal_retained_high")).toContain("2.0 MB");
    expect([...evaluateAlerts(late, { webhookUrl: "http://hook" }, now).keys()]).toEqual([]);
    expect(evaluateAlerts({ ...late, slotInactiveSince: new Date(now - 9 * 60_000) }, all, now).has("slot_inactive")).toBe(false);
  });

  it("ignores slot figures of a copy-only mirror", () => {
    expect([...evaluateAlerts({ ...base, mode: "initial_load_only", lagSeconds: 999, retainedBytes: 1e12 }, all).keys()]).toEqual([]);
  });

  it("formats bytes for people", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 kB");
  });
});
