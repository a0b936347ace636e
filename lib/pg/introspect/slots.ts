import { type Queryable, toNumber } from "@/lib/pg/introspect/queryable";

export interface ReplicationSlot {
  name: string;
  /** Output plugin of a logical slot ("pgoutput"); null for a physical slot. */
  plugin: string | null;
  slotType: "logical" | "physical";
  database: string | null;
  active: boolean;
  activePid: number | null;
  temporary: boolean;
  restartLsn: string | null;
  confirmedFlushLsn: string | null;
  /** WAL the server keeps for this slot: current WAL position minus restart_lsn, in bytes. */
  restartLagBytes: number | null;
  /** Changes not yet confirmed by the consumer: current WAL position minus confirmed_flush_lsn. */
  confirmedLagBytes: number | null;
  /** "reserved" | "extended" | "unreserved" | "lost" (PostgreSQL 13+; null before). */
  walStatus: string | null;
  /** Bytes of WAL that can still be written before the slot is lost (max_slot_wal_keep_size); null when unlimited. */
  safeWalSize: number | null;
  /** Why the slot was invalidated, e.g. "wal_removed" (PostgreSQL 17+; null before or when valid). */
  invalidationReason: string | null;
}

/**
 * Every replication slot on the peer's server, with how much WAL each one holds back.
 * On a standby the lag is measured against the last WAL received. Read-only; PostgreSQL 12+.
 */
export async function slots(client: Queryable): Promise<ReplicationSlot[]> {
  const version = await client.query<{ n: number }>(`select current_setting('server_version_num')::int as n`);
  const v = version.rows[0].n;
  // Columns that newer versions added; older servers get null for them.
  const walStatus = v >= 130000 ? "wal_status" : "null::text";
  const safeWalSize = v >= 130000 ? "safe_wal_size" : "null::bigint";
  const invalidation = v >= 170000 ? "invalidation_reason" : "null::text";
  const { rows } = await client.query<{
    slot_name: string;
    plugin: string | null;
    slot_type: "logical" | "physical";
    database: string | null;
    active: boolean;
    active_pid: number | null;
    temporary: boolean;
    restart_lsn: string | null;
    confirmed_flush_lsn: string | null;
    restart_lag: string | null;
    confirmed_lag: string | null;
    wal_status: string | null;
    safe_wal_size: string | null;
    invalidation_reason: string | null;
  }>(`
    with here as (
      select case when pg_is_in_recovery() then pg_last_wal_receive_lsn() else pg_current_wal_lsn() end as lsn
    )
    select slot_name, plugin, slot_type, database, active, active_pid, temporary,
           restart_lsn::text, confirmed_flush_lsn::text,
           pg_wal_lsn_diff(here.lsn, restart_lsn)::bigint as restart_lag,
           pg_wal_lsn_diff(here.lsn, confirmed_flush_lsn)::bigint as confirmed_lag,
           ${walStatus} as wal_status, ${safeWalSize} as safe_wal_size, ${invalidation} as invalidation_reason
    from pg_replication_slots, here
    order by slot_name`);
  return rows.map((r) => ({
    name: r.slot_name,
    plugin: r.plugin,
    slotType: r.slot_type,
    database: r.database,
    active: r.active,
    activePid: r.active_pid,
    temporary: r.temporary,
    restartLsn: r.restart_lsn,
    confirmedFlushLsn: r.confirmed_flush_lsn,
    restartLagBytes: toNumber(r.restart_lag),
    confirmedLagBytes: toNumber(r.confirmed_lag),
    walStatus: r.wal_status,
    safeWalSize: toNumber(r.safe_wal_size),
    invalidationReason: r.invalidation_reason,
  }));
}
