import { describe, expect, it } from "vitest";
import {
  assertMirrorTransition,
  canResync,
  canTransitionMirror,
  canTransitionPartition,
  canTransitionTable,
  InvalidTransitionError,
  MIRROR_STATUSES,
  MIRROR_TRANSITIONS,
  mirrorStatusesLeadingTo,
  PARTITION_STATUSES,
  PARTITION_TRANSITIONS,
  type PartitionStatus,
  parseMirrorStatus,
  RESYNCABLE_STATUSES,
  TABLE_STATUSES,
  TABLE_TRANSITIONS,
  type TableStatus,
} from "./status";

describe("mirror status machine", () => {
  it.each([
    ["setup", "initial_load"],
    ["setup", "running"],
    ["initial_load", "running"],
    ["initial_load", "completed"],
    ["initial_load", "setup"],
    ["running", "paused"],
    ["paused", "running"],
    ["failed", "setup"],
    ["failed", "running"],
    ["completed", "deleting"],
  ] as const)("allows %s → %s", (from, to) => {
    expect(canTransitionMirror(from, to)).toBe(true);
    expect(() => assertMirrorTransition(from, to)).not.toThrow();
  });

  it.each([
    ["setup", "paused"],
    ["initial_load", "paused"],
    ["paused", "completed"],
    ["completed", "running"],
    ["completed", "failed"],
    ["failed", "paused"],
    ["deleting", "running"],
    ["deleting", "setup"],
  ] as const)("refuses %s → %s", (from, to) => {
    expect(canTransitionMirror(from, to)).toBe(false);
    expect(() => assertMirrorTransition(from, to)).toThrow(InvalidTransitionError);
  });

  it("lets every status but deleting and cutover be deleted, and nothing leave deleting", () => {
    // A cutover may have fenced the source: it is aborted (which lifts the fence) before the mirror can go.
    expect(mirrorStatusesLeadingTo("deleting")).toEqual(MIRROR_STATUSES.filter((s) => s !== "deleting" && s !== "cutover"));
    expect(mirrorStatusesLeadingTo("cutover")).toEqual(["running"]);
    expect(MIRROR_TRANSITIONS.deleting).toEqual([]);
  });

  it("lists only known statuses, and no status as its own successor", () => {
    for (const [from, tos] of Object.entries(MIRROR_TRANSITIONS)) {
      for (const to of tos) {
        expect(MIRROR_STATUSES).toContain(to);
        expect(to).not.toBe(from);
      }
    }
  });

  it("resyncs exactly the statuses that may go back to setup", () => {
    expect([...RESYNCABLE_STATUSES].sort()).toEqual(["completed", "failed", "initial_load", "paused", "running"]);
    expect(canResync("setup")).toBe(false);
    expect(canResync("deleting")).toBe(false);
  });

  it("parses the catalog's string and refuses an unknown one", () => {
    expect(parseMirrorStatus("paused")).toBe("paused");
    expect(() => parseMirrorStatus("stopped")).toThrow(/unknown mirror status/);
  });
});

// Table statuses are the partition statuses plus `removed`, so one shape fits both machines.
type Pair = [TableStatus, TableStatus];
interface LoadMachine {
  name: string;
  statuses: readonly TableStatus[];
  transitions: Readonly<Partial<Record<TableStatus, readonly TableStatus[]>>>;
  can: (from: TableStatus, to: TableStatus) => boolean;
  allowed: Pair[];
  refused: Pair[];
}

const LOAD_MACHINES: LoadMachine[] = [
  {
    name: "partition",
    statuses: PARTITION_STATUSES,
    transitions: PARTITION_TRANSITIONS,
    can: (from, to) => from !== "removed" && to !== "removed" && canTransitionPartition(from as PartitionStatus, to as PartitionStatus),
    // A copy's life and a hand-back.
    allowed: [["pending", "copying"], ["copying", "done"], ["copying", "failed"], ["copying", "pending"]],
    // Skipping the claim; leaving an end state.
    refused: [["pending", "done"], ["done", "copying"], ["failed", "pending"]],
  },
  {
    name: "table",
    statuses: TABLE_STATUSES,
    transitions: TABLE_TRANSITIONS,
    can: canTransitionTable,
    // The roll-up's moves, and a new generation's reset.
    // Removal from a settled table (lib/web/mirrors/edit.ts).
    allowed: [["pending", "copying"], ["copying", "done"], ["done", "pending"], ["failed", "pending"], ["done", "removed"], ["failed", "removed"]],
    // Back from an end state other than by starting over; removing a table mid-copy; anything out of removed.
    refused: [["done", "copying"], ["failed", "done"], ["copying", "removed"], ["removed", "pending"]],
  },
];

describe.each(LOAD_MACHINES)("$name status machine", ({ statuses, transitions, can, allowed, refused }) => {
  it.each(allowed)("allows %s → %s", (from, to) => expect(can(from, to)).toBe(true));
  it.each(refused)("refuses %s → %s", (from, to) => expect(can(from, to)).toBe(false));
  it("lists only known statuses", () => {
    for (const tos of Object.values(transitions)) for (const to of tos) expect(statuses).toContain(to);
  });
});
