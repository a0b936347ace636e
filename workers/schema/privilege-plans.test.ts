import { describe, expect, it } from "vitest";
import { applicablePrivileges, type PrivilegePlan } from "./privilege-plans";

const plan: PrivilegePlan = {
  label: 'table "app"."orders"',
  lookup: { kind: "relation", name: '"app"."orders"' },
  owner: { role: "app_owner", sql: 'ALTER TABLE "app"."orders" OWNER TO app_owner' },
  revokePublic: 'REVOKE ALL ON TABLE "app"."orders" FROM PUBLIC',
  grants: [
    { role: "reader", sql: "GRANT SELECT … TO reader" },
    { role: null, sql: "GRANT SELECT … TO PUBLIC" },
    { role: "ghost", sql: "GRANT SELECT … TO ghost" },
    { role: "ghost", sql: "GRANT INSERT … TO ghost" },
  ],
};

describe("applicablePrivileges", () => {
  it("keeps what the target's roles allow, owner first, and names each missing role once", () => {
    expect(applicablePrivileges(plan, new Set(["app_owner", "reader"]))).toEqual({
      statements: [plan.owner!.sql, plan.revokePublic, "GRANT SELECT … TO reader", "GRANT SELECT … TO PUBLIC"],
      missing: [{ what: 'grants on table "app"."orders" to "ghost"', role: "ghost" }],
    });
  });

  it("reports a missing owner and still grants to the roles that exist", () => {
    const { statements, missing } = applicablePrivileges(plan, new Set(["reader", "ghost"]));
    expect(missing).toEqual([{ what: 'owner of table "app"."orders"', role: "app_owner" }]);
    expect(statements).not.toContain(plan.owner!.sql);
    expect(statements).toHaveLength(5);
  });
});
