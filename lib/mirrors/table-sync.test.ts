import { describe, expect, it } from "vitest";
import { pickRound, tableSyncOf } from "./table-sync";

const row = (name: string, syncKind: string | null, syncPhase: string | null, status = "done") => ({ name, syncKind, syncPhase, status });

describe("pickRound", () => {
  it("resumes an interrupted round before starting a new one", () => {
    const tables = [row("a", "add", "queued", "pending"), row("b", "resync", "copying"), row("c", "resync", "catching_up"), row("d", null, null)];
    expect(pickRound(tables).map((t) => t.name)).toEqual(["b", "c"]);
  });

  it("takes every queued table of the first queued kind, never a failed one", () => {
    const tables = [row("a", "resync", "queued"), row("b", "add", "queued", "pending"), row("c", "resync", "queued"), row("d", "add", "queued", "failed")];
    expect(pickRound(tables).map((t) => t.name)).toEqual(["a", "c"]);
    expect(pickRound([row("d", "add", "queued", "failed"), row("e", null, null)])).toEqual([]);
  });

  it("reads the two catalog columns as one value", () => {
    expect(tableSyncOf(row("a", "add", "copying"))).toEqual({ kind: "add", phase: "copying" });
    expect(tableSyncOf(row("a", null, null))).toBeNull();
  });
});
