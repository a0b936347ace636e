import { describe, expect, it } from "vitest";
import { sleep } from "./sleep";

describe("sleep", () => {
  it("waits about the time asked", async () => {
    const started = Date.now();
    await sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("ends at once when the signal fires, and at once when it had already fired", async () => {
    const abort = new AbortController();
    const started = Date.now();
    const sleeping = sleep(10_000, abort.signal);
    abort.abort();
    await sleeping;
    await sleep(10_000, abort.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
