import { describe, expect, it } from "vitest";
import { withEdit, withSelected } from "@/components/mirrors/table-picker-model";
import type { PeerTable, TableListing } from "@/lib/pg/introspect/tables";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";
import { currentSelection, tableChanges, tablesBody } from "./edit-tables";

function peerTable(schema: string, name: string, extra: Partial<PeerTable> = {}): PeerTable {
  return {
    schema,
    name,
    kind: "table",
    partitions: null,
    estimatedRows: 10,
    totalBytes: 8192,
    primaryKey: ["id"],
    replicaIdentity: "default",
    replicaIdentityIndex: null,
    unlogged: false,
    canSelect: true,
    columns: [
      { name: "id", position: 1, type: "integer", nullable: false, generated: false, identity: null },
      { name: "secret", position: 2, type: "text", nullable: true, generated: false, identity: null },
    ],
    ...extra,
  } as PeerTable;
}

function mirrorTable(source: string, extra: Partial<MirrorTableView> = {}): MirrorTableView {
  return { source, target: source, excludeColumns: [], flatten: false, status: "done", ...extra } as MirrorTableView;
}

const listing = {
  tables: [peerTable("public", "items"), peerTable("public", "orders"), peerTable("public", "no_key", { primaryKey: [] }), peerTable("sales", "refunds")],
} as TableListing;

const mirror = {
  mode: "cdc",
  tables: [
    mirrorTable("public.items"),
    mirrorTable("public.orders", { target: "archive.orders_copy", excludeColumns: ["secret"] }),
    mirrorTable("sales.refunds", { status: "removed" }),
  ],
} as unknown as MirrorDetail;

describe("the Edit dialog's table list", () => {
  it("starts from the mirror's tables with their mappings, and sending that back changes nothing", () => {
    const selection = currentSelection(mirror);
    expect([...selection.selected]).toEqual(["public.items", "public.orders"]);
    expect(tableChanges(mirror, selection, listing)).toEqual({ added: [], removed: [], changed: false });
    expect(tablesBody(mirror, listing, selection).tables).toEqual([
      { source: "public.items" },
      { source: "public.orders", target: "archive.orders_copy", excludeColumns: ["secret"] },
    ]);
  });

  it("adds ticked tables the mode allows (a removed table comes back as new) and removes unticked ones", () => {
    let selection = withSelected(currentSelection(mirror), ["sales.refunds", "public.no_key"], true);
    selection = withSelected(selection, ["public.items"], false);
    // public.no_key has no primary key: CDC cannot replicate it, so it is not added.
    expect(tableChanges(mirror, selection, listing)).toEqual({ added: ["sales.refunds"], removed: ["public.items"], changed: true });
    const body = tablesBody(mirror, listing, selection);
    expect(body.keys).toEqual(["public.orders", "sales.refunds"]);
  });

  it("keeps a ticked table of the mirror that the source no longer lists", () => {
    const shorter = { tables: listing.tables.filter((t) => t.name !== "orders") } as TableListing;
    const body = tablesBody(mirror, shorter, currentSelection(mirror));
    expect(body.tables).toEqual([{ source: "public.items" }, { source: "public.orders", target: "archive.orders_copy", excludeColumns: ["secret"], flatten: false }]);
    expect(body.keys).toEqual(["public.items", "public.orders"]);
  });

  it("sends the list when a mapping was edited", () => {
    const selection = withEdit(currentSelection(mirror), "public.items", { targetName: "items_v2" });
    expect(tableChanges(mirror, selection, listing).changed).toBe(true);
    expect(tablesBody(mirror, listing, selection).tables[0]).toEqual({ source: "public.items", target: "public.items_v2" });
  });
});
