import { afterEach, describe, expect, it } from "vitest";
import { sleep } from "@/lib/sleep";
import {
  FAILURE_WINDOW_MS,
  MAX_CONCURRENT_HASHES,
  MAX_FAILURES_PER_CLIENT,
  MAX_FAILURES_TOTAL,
  attemptSucceeded,
  beginAttempt,
  recordFailure,
  resetThrottle,
  retryAfterSeconds,
  withHashSlot,
} from "./throttle";

afterEach(() => resetThrottle());

describe("failure throttle", () => {
  it("lets a client try until it has failed MAX_FAILURES_PER_CLIENT times in a window, then says how long to wait", () => {
    const start = 1_000_000;
    for (let i = 0; i < MAX_FAILURES_PER_CLIENT; i++) {
      expect(retryAfterSeconds("a", start + i)).toBeNull();
      recordFailure("a", start + i);
    }
    const wait = retryAfterSeconds("a", start + MAX_FAILURES_PER_CLIENT);
    expect(wait).toBe(60);
    expect(retryAfterSeconds("b", start + MAX_FAILURES_PER_CLIENT)).toBeNull();
    // Once the first failure leaves the window, one more attempt is allowed.
    expect(retryAfterSeconds("a", start + FAILURE_WINDOW_MS + 1)).toBeNull();
  });

  it("stops everyone once all clients together fail MAX_FAILURES_TOTAL times", () => {
    const now = 5_000_000;
    for (let i = 0; i < MAX_FAILURES_TOTAL; i++) recordFailure(`client-${i}`, now);
    expect(retryAfterSeconds("someone-new", now + 10)).toBeGreaterThan(0);
  });
});

describe("hash slots", () => {
  it("never runs more than MAX_CONCURRENT_HASHES hashes at once, and runs every one", async () => {
    let running = 0;
    let peak = 0;
    const hash = async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(5);
      running--;
      return true;
    };
    const results = await Promise.all(Array.from({ length: 12 }, () => withHashSlot(hash)));
    expect(results).toHaveLength(12);
    expect(peak).toBe(MAX_CONCURRENT_HASHES);
  });

  it("frees the slot when a hash throws", async () => {
    await expect(withHashSlot(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    const results = await Promise.all(Array.from({ length: MAX_CONCURRENT_HASHES + 1 }, () => withHashSlot(async () => 1)));
    expect(results).toEqual(Array(MAX_CONCURRENT_HASHES + 1).fill(1));
  });
});

describe("attempts in parallel", () => {
  it("counts an attempt before its password is checked, and takes it back when it was right", () => {
    const now = 9_000_000;
    const waits = Array.from({ length: 50 }, () => beginAttempt("p", now));
    expect(waits.filter((w) => w === null)).toHaveLength(MAX_FAILURES_PER_CLIENT);
    resetThrottle();
    for (let i = 0; i < 20; i++) {
      expect(beginAttempt("ok", now)).toBeNull();
      attemptSucceeded("ok");
    }
  });
});
