import type pg from "pg";
import { type Lsn, parseLsn } from "@/lib/pg/lsn";
import { quoteIdent, quoteLiteral } from "@/lib/pg/quote";
import { sleep } from "@/lib/sleep";
import type { BenchServer } from "./pg";

/** Native logical replication of pgbench_accounts (CREATE PUBLICATION / CREATE SUBSCRIPTION), the baseline. */
export const NATIVE_PUBLICATION = "bench_native_pub";
export const NATIVE_SUBSCRIPTION = "bench_native_sub";

export async function createNativePublication(source: pg.Client): Promise<void> {
  await source.query(`CREATE PUBLICATION ${quoteIdent(NATIVE_PUBLICATION)} FOR TABLE pgbench_accounts`);
}

/** Creates the subscription (with its initial copy unless copyData is false); returns at once. */
export async function createNativeSubscription(target: pg.Client, source: BenchServer, sourceDb: string, streaming: "off" | "on"): Promise<void> {
  const conninfo = `host=${source.host} port=${source.port} user=${source.user} password=${source.password} dbname=${sourceDb} application_name=bench_native`;
  await target.query(`CREATE SUBSCRIPTION ${quoteIdent(NATIVE_SUBSCRIPTION)} CONNECTION ${quoteLiteral(conninfo)} PUBLICATION ${quoteIdent(NATIVE_PUBLICATION)} WITH (streaming = ${streaming})`);
}

/** True once every table of the subscription is 'r' (ready) in pg_subscription_rel. */
export async function nativeTablesReady(target: pg.Client): Promise<boolean> {
  const { rows } = await target.query<{ states: string[] }>(
    `SELECT array_agg(r.srsubstate::text) AS states FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = $1`,
    [NATIVE_SUBSCRIPTION],
  );
  const states = rows[0]?.states ?? [];
  return states.length > 0 && states.every((s) => s === "r");
}

export async function setNativeEnabled(target: pg.Client, enabled: boolean): Promise<void> {
  await target.query(`ALTER SUBSCRIPTION ${quoteIdent(NATIVE_SUBSCRIPTION)} ${enabled ? "ENABLE" : "DISABLE"}`);
  if (enabled) return;
  // DISABLE returns before the apply worker exits: wait for it, so it takes no CPU from what is measured next.
  for (let i = 0; i < 200; i++) {
    const { rows } = await target.query("SELECT 1 FROM pg_stat_subscription WHERE subname = $1 AND pid IS NOT NULL", [NATIVE_SUBSCRIPTION]);
    if (rows.length === 0) return;
    await sleep(50);
  }
}

/** Source position up to which the target has applied: the end of the last applied commit (replication origin). */
export async function nativeAppliedLsn(target: pg.Client): Promise<Lsn | null> {
  const { rows } = await target.query<{ lsn: string | null }>(
    `SELECT o.remote_lsn::text AS lsn FROM pg_replication_origin_status o
       JOIN pg_subscription s ON o.external_id = 'pg_' || s.oid WHERE s.subname = $1`,
    [NATIVE_SUBSCRIPTION],
  );
  return rows[0]?.lsn ? parseLsn(rows[0].lsn) : null;
}
