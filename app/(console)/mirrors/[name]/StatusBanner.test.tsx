import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { MirrorDetail } from "@/lib/web/mirrors/views";
import { StatusBanner } from "./StatusBanner";

/** Only the fields the banner reads; the rest of a mirror's view does not matter to it. */
function mirror(status: string, cdc: Partial<NonNullable<MirrorDetail["cdc"]>> | null, mode = "cdc"): MirrorDetail {
  return {
    status,
    mode,
    errorMessage: status === "failed" ? 'new row for relation "orders" violates check constraint "small_qty"' : null,
    cdc: cdc && { retainedBytes: null, slot: null, statsUpdatedAt: null, ...cdc },
  } as unknown as MirrorDetail;
}

const render = (m: MirrorDetail) => renderToStaticMarkup(<StatusBanner mirror={m} />).replace(/<[^>]+>/g, "").replaceAll("&#x27;", "'");

describe("StatusBanner", () => {
  it("says how much WAL a failed mirror's slot holds, and what to do", () => {
    const text = render(mirror("failed", { retainedBytes: 5 * 1024 * 1024, slot: { active: false }, statsUpdatedAt: new Date().toISOString() }));
    expect(text).toContain("The mirror failed");
    expect(text).toContain("small_qty");
    expect(text).toContain("Its replication slot still makes the source keep WAL (5.0 MB)");
    expect(text).toMatch(/fix the cause above, then Resume.*Or Delete the mirror to drop its slot/);
    expect(text).toContain("(measured ");
  });

  it("shows the same figure for a paused mirror", () => {
    const text = render(mirror("paused", { retainedBytes: 3 * 1024 * 1024, slot: { active: false } }));
    expect(text).toContain("Paused: the source is retaining WAL for this mirror's slot (3.0 MB)");
  });

  it("waits for a first measurement, and says when the slot is gone", () => {
    expect(render(mirror("failed", { slot: null }))).toContain("keep WAL (measuring…)");
    const gone = render(mirror("failed", { retainedBytes: null, slot: { missing: true } }));
    expect(gone).not.toContain("keep WAL");
    expect(gone).toContain("no longer on the source");
  });

  it("tells a failed copy-only mirror to resync, and says nothing for other statuses", () => {
    expect(render(mirror("failed", null, "initial_load_only"))).toContain("then Resync to copy again");
    expect(render(mirror("running", { retainedBytes: 1 }))).toBe("");
  });
});
