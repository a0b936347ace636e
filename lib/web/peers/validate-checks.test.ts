import { describe, expect, test } from "vitest";
import {
  replicationPrivilegeCheck,
  replicationSlotsCheck,
  versionCheck,
  walLevelCheck,
  walSendersCheck,
} from "@/lib/web/peers/validate-checks";

// The servers in the integration tests are PostgreSQL 18 on a plain host; the cases they cannot
// produce (an old version, Amazon RDS) are covered here.
describe("validation checks", () => {
  test("a server older than 12 fails the version check with the fix", () => {
    expect(versionCheck({ version: "11.22", versionNum: 110022 })).toEqual({
      id: "version",
      label: "PostgreSQL version",
      status: "fail",
      message: "PostgreSQL 11.22 is older than 12, the oldest version pgferry supports.",
      fix: "Upgrade the server to PostgreSQL 12 or later.",
    });
    expect(versionCheck({ version: "12.0", versionNum: 120000 }).status).toBe("pass");
  });

  test("on RDS the wal_level fix is the parameter group", () => {
    const check = walLevelCheck({ walLevel: "replica" }, { onRds: true });
    expect(check.status).toBe("warn");
    expect(check.fix).toBe("In the instance's DB parameter group set rds.logical_replication = 1, then reboot the instance.");
  });

  test("rds_replication membership counts as REPLICATION; on RDS the fix is the grant", () => {
    const base = { user: "app", superuser: false, replication: false, rdsReplication: false, onRds: true };
    expect(replicationPrivilegeCheck({ ...base, rdsReplication: true })).toMatchObject({
      status: "pass",
      message: 'User "app" is a member of rds_replication.',
    });
    expect(replicationPrivilegeCheck(base).fix).toBe('As the master user run GRANT rds_replication TO "app";');
    // User names are quoted in the SQL we suggest.
    expect(replicationPrivilegeCheck({ ...base, user: 'we"ird', onRds: false }).fix).toContain(
      'ALTER ROLE "we""ird" WITH REPLICATION;',
    );
  });

  test("zero slots or senders configured is explained as such", () => {
    expect(replicationSlotsCheck({ replicationSlots: { used: 0, max: 0 } }).message).toMatch(/^max_replication_slots is 0/);
    expect(walSendersCheck({ walSenders: { used: 0, max: 0 } }).message).toMatch(/^max_wal_senders is 0/);
    expect(replicationSlotsCheck({ replicationSlots: { used: 3, max: 10 } })).toMatchObject({
      status: "pass",
      message: "7 of 10 replication slots free (each CDC mirror uses one).",
    });
  });
});
