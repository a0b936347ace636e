import { type Queryable, toNumber } from "@/lib/pg/introspect/queryable";

export interface ServerInfo {
  /** server_version, e.g. "18.1" or "15.8 (Debian 15.8-1)". */
  version: string;
  /** server_version_num, e.g. 180001. */
  versionNum: number;
  /** version(): the full build string, e.g. "PostgreSQL 18.1 on x86_64-pc-linux-gnu, …". */
  versionText: string;
  /** The database the peer points at, and its size on disk in bytes. */
  database: string;
  databaseBytes: number;
  /** wal_level: "logical" is needed for a CDC source. */
  walLevel: string;
  /** True on a standby. */
  inRecovery: boolean;
  /** Replication slots that exist on the server (all databases), and max_replication_slots. */
  replicationSlots: { used: number; max: number };
  /** WAL sender processes running (physical and logical), and max_wal_senders. */
  walSenders: { used: number; max: number };
}

/**
 * One round trip of server facts for the peer page and for validation. Read-only; needs no
 * privilege beyond connecting. Works on PostgreSQL 9.6 and later, so validation can still report
 * the version of a server that is too old.
 */
export async function serverInfo(client: Queryable): Promise<ServerInfo> {
  const { rows } = await client.query<{
    version: string;
    version_num: number;
    version_text: string;
    database: string;
    database_bytes: string;
    wal_level: string;
    in_recovery: boolean;
    slots_used: number;
    slots_max: number;
    senders_used: number;
    senders_max: number;
  }>(`
    select current_setting('server_version') as version,
           current_setting('server_version_num')::int as version_num,
           version() as version_text,
           current_database() as database,
           pg_database_size(current_database()) as database_bytes,
           current_setting('wal_level') as wal_level,
           pg_is_in_recovery() as in_recovery,
           (select count(*) from pg_replication_slots)::int as slots_used,
           current_setting('max_replication_slots')::int as slots_max,
           (select count(*) from pg_stat_replication)::int as senders_used,
           current_setting('max_wal_senders')::int as senders_max`);
  const row = rows[0];
  return {
    version: row.version,
    versionNum: row.version_num,
    versionText: row.version_text,
    database: row.database,
    databaseBytes: toNumber(row.database_bytes) ?? 0,
    walLevel: row.wal_level,
    inRecovery: row.in_recovery,
    replicationSlots: { used: row.slots_used, max: row.slots_max },
    walSenders: { used: row.senders_used, max: row.senders_max },
  };
}
