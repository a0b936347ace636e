import { describe, expect, it } from "vitest";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { signalLoadProgress, waitForLoadProgress } from "./wakeups";

/** A catalog whose NOTIFY fails: the wake-up in this process must not depend on it. */
const catalog = { $executeRaw: () => Promise.reject(new Error("no catalog")) } as unknown as PrismaClient;

describe("waitForLoadProgress", () => {
  it("returns when a copy job of the mirror ends, not at the timeout", async () => {
    const started = Date.now();
    const waiting = waitForLoadProgress("m1", 5_000);
    await signalLoadProgress(catalog, "m1");
    await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("counts news that came between two waits, and ignores other mirrors", async () => {
    await waitForLoadProgress("m2", 1);
    await signalLoadProgress(catalog, "m2");
    await signalLoadProgress(catalog, "other");
    const started = Date.now();
    await waitForLoadProgress("m2", 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    const timedOut = Date.now();
    await waitForLoadProgress("m2", 50);
    expect(Date.now() - timedOut).toBeGreaterThanOrEqual(45);
  });

  it("returns at once when aborted", async () => {
    const abort = new AbortController();
    const waiting = waitForLoadProgress("m3", 5_000, abort.signal);
    abort.abort();
    await waiting;
  });
});
