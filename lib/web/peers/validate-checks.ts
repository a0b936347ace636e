import type { ServerInfo } from "@/lib/pg/introspect/server-info";
import { quoteIdent } from "@/lib/pg/quote";

/**
 * The checks validatePeer reports, as pure functions of what the server said, so each message and
 * fix is written (and read) in one place. Messages say what was found; fixes say what to do.
 */

export type CheckStatus = "pass" | "warn" | "fail";

export type CheckId =
  | "reachable"
  | "credentials"
  | "database"
  | "version"
  | "wal_level"
  | "replication_privilege"
  | "replication_slots"
  | "wal_senders";

export interface PeerCheck {
  id: CheckId;
  label: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export const CHECK_LABELS: Record<CheckId, string> = {
  reachable: "Server reachable",
  credentials: "Sign-in",
  database: "Database",
  version: "PostgreSQL version",
  wal_level: "Logical decoding (wal_level)",
  replication_privilege: "REPLICATION privilege",
  replication_slots: "Free replication slots",
  wal_senders: "Free WAL senders",
};

/** The oldest PostgreSQL pgferry supports: 120000 = 12.0. */
export const MIN_SERVER_VERSION_NUM = 120000;

/** What the peer's user may do with replication, from pg_roles. */
export interface RoleFacts {
  user: string;
  superuser: boolean;
  replication: boolean;
  rdsReplication: boolean;
  /** rds.logical_replication exists only on Amazon RDS and Aurora: its presence tells us where we are. */
  onRds: boolean;
}

export function check(id: CheckId, status: CheckStatus, message: string, fix?: string): PeerCheck {
  return fix ? { id, label: CHECK_LABELS[id], status, message, fix } : { id, label: CHECK_LABELS[id], status, message };
}

export function versionCheck(info: Pick<ServerInfo, "version" | "versionNum">): PeerCheck {
  if (info.versionNum >= MIN_SERVER_VERSION_NUM) return check("version", "pass", `PostgreSQL ${info.version}.`);
  return check(
    "version",
    "fail",
    `PostgreSQL ${info.version} is older than 12, the oldest version pgferry supports.`,
    "Upgrade the server to PostgreSQL 12 or later.",
  );
}

export function walLevelCheck(info: Pick<ServerInfo, "walLevel">, role: Pick<RoleFacts, "onRds">): PeerCheck {
  if (info.walLevel === "logical") {
    return check("wal_level", "pass", "wal_level is logical: this server can be the source of continuous replication.");
  }
  const fix = role.onRds
    ? "In the instance's DB parameter group set rds.logical_replication = 1, then reboot the instance."
    : "As a superuser run ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL. " +
      "On Amazon RDS or Aurora set rds.logical_replication = 1 in the parameter group and reboot; " +
      "on Google Cloud SQL turn on the cloudsql.logical_decoding flag; on Azure set wal_level to logical in the server parameters.";
  return check(
    "wal_level",
    "warn",
    `wal_level is ${info.walLevel}. That is fine for a mirror target or an initial copy only, but continuous replication (CDC) from this peer needs wal_level = logical.`,
    fix,
  );
}

export function replicationPrivilegeCheck(role: RoleFacts): PeerCheck {
  if (role.superuser) return check("replication_privilege", "pass", `User "${role.user}" is a superuser.`);
  if (role.replication) return check("replication_privilege", "pass", `User "${role.user}" has the REPLICATION attribute.`);
  if (role.rdsReplication) return check("replication_privilege", "pass", `User "${role.user}" is a member of rds_replication.`);
  const grant = role.onRds
    ? `As the master user run GRANT rds_replication TO ${quoteIdent(role.user)};`
    : `As a superuser run ALTER ROLE ${quoteIdent(role.user)} WITH REPLICATION; (on Amazon RDS: GRANT rds_replication TO ${quoteIdent(role.user)};)`;
  return check(
    "replication_privilege",
    "warn",
    `User "${role.user}" has no REPLICATION privilege. That is fine for a mirror target or an initial copy only, but continuous replication (CDC) from this peer needs it to create a replication slot.`,
    grant,
  );
}

export function replicationSlotsCheck(info: Pick<ServerInfo, "replicationSlots">): PeerCheck {
  const { used, max } = info.replicationSlots;
  const free = max - used;
  if (free > 0) {
    return check("replication_slots", "pass", `${free} of ${max} replication slots free (each CDC mirror uses one).`);
  }
  const found =
    max === 0
      ? "max_replication_slots is 0: no replication slot can be created"
      : `All ${max} replication slots are in use (max_replication_slots = ${max})`;
  return check(
    "replication_slots",
    "warn",
    `${found}, so a new CDC mirror from this peer could not start. Mirror targets and initial copies are not affected.`,
    "Drop slots that are no longer needed (SELECT pg_drop_replication_slot('slot_name'); for an inactive slot), or raise max_replication_slots and restart PostgreSQL.",
  );
}

export function walSendersCheck(info: Pick<ServerInfo, "walSenders">): PeerCheck {
  const { used, max } = info.walSenders;
  const free = max - used;
  if (free > 0) {
    return check("wal_senders", "pass", `${free} of ${max} WAL senders free (each running CDC mirror uses one).`);
  }
  const found =
    max === 0 ? "max_wal_senders is 0: no replication connection is allowed" : `All ${max} WAL senders are busy (max_wal_senders = ${max})`;
  return check(
    "wal_senders",
    "warn",
    `${found}, so a CDC mirror from this peer could not stream changes. Mirror targets and initial copies are not affected.`,
    "Stop replication connections that are no longer needed, or raise max_wal_senders and restart PostgreSQL.",
  );
}
