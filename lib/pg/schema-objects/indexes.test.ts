import { describe, expect, it } from "vitest";
import { retargetIndexDef } from "./indexes";

describe("retargetIndexDef", () => {
  const partitioned = "CREATE INDEX events_kind_idx ON ONLY shop.events USING btree (kind)";

  it("keeps ONLY for a partitioned target, whose partitions' indexes are attached later", () => {
    expect(retargetIndexDef(partitioned, "shop.events", '"shop"."events"')).toBe('CREATE INDEX events_kind_idx ON ONLY "shop"."events" USING btree (kind)');
  });

  it("drops ONLY for a partitioned table flattened into one table", () => {
    expect(retargetIndexDef(partitioned, "shop.events", '"x$\'"."events"', false)).toBe('CREATE INDEX events_kind_idx ON "x$\'"."events" USING btree (kind)');
  });

  it("retargets an ordinary table's index, and refuses a definition it cannot place", () => {
    expect(retargetIndexDef("CREATE INDEX i ON shop.orders USING btree (id)", "shop.orders", '"s"."o"', false)).toBe('CREATE INDEX i ON "s"."o" USING btree (id)');
    expect(retargetIndexDef("CREATE INDEX i ON shop.other USING btree (id)", "shop.orders", '"s"."o"')).toBeNull();
  });
});
