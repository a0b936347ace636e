import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";
import { canChangeTables, canEditMirror } from "./table-changes";
import { TableSyncBadge } from "./TableSyncBadge";

const table = (sync: MirrorTableView["sync"]) => ({ source: "public.orders", sync }) as MirrorTableView;
const text = (t: MirrorTableView) => renderToStaticMarkup(<TableSyncBadge table={t} />).replace(/<[^>]+>/g, "");

describe("a table's own copy, as the mirror page shows it", () => {
  it("names the kind and the phase, and nothing once the table streams with the others", () => {
    expect(text(table({ kind: "add", phase: "copying" }))).toBe("Adding: copying");
    expect(text(table({ kind: "resync", phase: "catching_up" }))).toBe("Resync: catching up");
    expect(text(table(null))).toBe("");
  });

  it("offers Edit to a streaming CDC mirror and a completed copy-only one; table changes only to the first", () => {
    const m = (mode: string, status: string) => ({ mode, status }) as MirrorDetail;
    expect([canEditMirror(m("cdc", "running")), canEditMirror(m("cdc", "paused")), canEditMirror(m("cdc", "completed")), canEditMirror(m("cdc", "initial_load"))]).toEqual([true, true, false, false]);
    expect([canEditMirror(m("initial_load_only", "completed")), canChangeTables(m("initial_load_only", "completed"))]).toEqual([true, true]);
  });
});
