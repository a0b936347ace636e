import { describe, expect, it } from "vitest";
import { InvalidTransitionError } from "@/lib/mirrors/status";
import type { PrismaClient } from "./generated/client";
import { transitionMirror } from "./transition-mirror";

/** A catalog that records the one call transitionMirror makes and answers with `count` rows changed. */
function fakeCatalog(count: number) {
  const calls: unknown[] = [];
  const catalog = {
    mirror: {
      updateMany: async (args: unknown) => {
        calls.push(args);
        return { count };
      },
    },
  } as unknown as PrismaClient;
  return { catalog, calls };
}

describe("transitionMirror", () => {
  it("moves the mirror only if it is still in one of the given statuses, with its data in the same write", async () => {
    const { catalog, calls } = fakeCatalog(1);
    expect(await transitionMirror(catalog, { id: "m1", loadGeneration: 3 }, "initial_load", "running", { snapshotName: null })).toBe(true);
    expect(calls).toEqual([
      { where: { id: "m1", loadGeneration: 3, status: { in: ["initial_load"] } }, data: { snapshotName: null, status: "running" } },
    ]);
  });

  it("says when a change made meanwhile won", async () => {
    const { catalog } = fakeCatalog(0);
    expect(await transitionMirror(catalog, { name: "orders" }, ["running", "paused"], "setup")).toBe(false);
  });

  it("refuses a transition that is not in the table without touching the catalog", async () => {
    const { catalog, calls } = fakeCatalog(1);
    await expect(transitionMirror(catalog, { id: "m1" }, ["paused", "completed"], "running")).rejects.toThrow(InvalidTransitionError);
    await expect(transitionMirror(catalog, { id: "m1" }, "deleting", "running")).rejects.toThrow(/from deleting to running/);
    expect(calls).toEqual([]);
  });
});
