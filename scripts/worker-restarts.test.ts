import { describe, expect, it } from "vitest";
import { DEFAULT_RESTART_POLICY, nextRestartDelay } from "./worker-restarts";

describe("nextRestartDelay", () => {
  it("starts at 1 s and doubles up to 30 s while workers keep dying young", () => {
    const delays: number[] = [];
    let delay: number | null = null;
    for (let i = 0; i < 7; i++) delays.push((delay = nextRestartDelay(delay, 500)));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it("forgives a worker that ran long enough", () => {
    expect(nextRestartDelay(30_000, DEFAULT_RESTART_POLICY.healthyAfterMs)).toBe(1_000);
  });
});
