import { describe, expect, it } from "vitest";
import { workerProcessEnv } from "./process-env";

describe("workerProcessEnv", () => {
  it("limits glibc's malloc arenas unless the caller chose a number", () => {
    expect(workerProcessEnv({ DATABASE_URL: "postgres://x" })).toEqual({ DATABASE_URL: "postgres://x", MALLOC_ARENA_MAX: "2" });
    expect(workerProcessEnv({ MALLOC_ARENA_MAX: "4" }).MALLOC_ARENA_MAX).toBe("4");
  });
});
