import type pg from "pg";
import { connectPeer } from "@/lib/pg/connect";
import { type ConnectStage, PeerConnectError } from "@/lib/errors/peer-connect-error";
import { scrubSecret } from "@/lib/errors/scrub-secret";
import type { PeerConnection } from "@/lib/pg/connection";
import { beforeDeadline, deadlineIn } from "@/lib/pg/deadline";
import { type ServerInfo, serverInfo } from "@/lib/pg/introspect/server-info";
import {
  check,
  type CheckId,
  type PeerCheck,
  replicationPrivilegeCheck,
  replicationSlotsCheck,
  type RoleFacts,
  versionCheck,
  walLevelCheck,
  walSendersCheck,
} from "@/lib/web/peers/validate-checks";

/** Default: 10 seconds for everything validatePeer does, connecting included. */
export const VALIDATE_TIMEOUT_MS = 10_000;

export interface PeerValidation {
  /** False only when pgferry cannot connect to the peer at all; then `error` says why. */
  ok: boolean;
  /**
   * In a fixed order. Checks after a failed connection step are left out (there is nothing to
   * check), and so are the replication checks of a server too old to use.
   */
  checks: PeerCheck[];
  /** Connected, and the version is supported: the peer can be a mirror target or an initial-copy source. */
  usableAsTarget: boolean;
  /** Every check passed: the peer can also be the source of continuous replication (CDC). */
  usableAsCdcSource: boolean;
  serverVersion?: string;
  serverVersionNum?: number;
  /** Whether the validation connection was encrypted (TLS mode "prefer" falls back to plain). */
  tls?: boolean;
  /** The connection error, shaped for a form (code, message, message per field). Never holds the password. */
  error?: { code: string; message: string; fields?: Record<string, string> };
  /**
   * What the catalog knows that does not stop saving (e.g. another peer already points at this
   * database). Added by the peers service, which reads the catalog; absent when there is none.
   */
  warnings?: PeerWarning[];
  durationMs: number;
}

/** Something worth knowing before saving a peer, which does not refuse it. */
export interface PeerWarning {
  code: "peer_same_database";
  message: string;
  fix: string;
  /** The other peers concerned, by name. */
  peers: string[];
}

/**
 * Connects to the peer and runs every check within one deadline (default VALIDATE_TIMEOUT_MS).
 * Never throws for anything the peer does: every problem becomes a check or `error`. Read-only on
 * the peer; opens one session (application_name "pgferry:validate") and closes it.
 */
export async function validatePeer(peer: PeerConnection, options: { timeoutMs?: number } = {}): Promise<PeerValidation> {
  const started = Date.now();
  const deadline = deadlineIn(options.timeoutMs ?? VALIDATE_TIMEOUT_MS);
  const finish = (result: Omit<PeerValidation, "durationMs">): PeerValidation => ({
    ...result,
    durationMs: Date.now() - started,
  });

  let client: pg.Client;
  try {
    client = await connectPeer(peer, "validate", { deadline });
  } catch (error) {
    if (!(error instanceof PeerConnectError)) throw error;
    return finish({
      ok: false,
      checks: connectionChecks(peer, error.stage, error.message),
      usableAsTarget: false,
      usableAsCdcSource: false,
      error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) },
    });
  }

  try {
    return finish(await checkServer(client, peer, deadline));
  } finally {
    void client.end().catch(() => {});
  }
}

/** The connection steps, in order; once connected they all passed. */
const CONNECTION_STAGES: ConnectStage[] = ["reachable", "credentials", "database"];

function passedConnectionChecks(peer: PeerConnection, tls?: boolean): PeerCheck[] {
  const over = tls === undefined ? "" : tls ? " over TLS" : " without TLS";
  return [
    check("reachable", "pass", `Reached ${peer.host}:${peer.port}${over}.`),
    check("credentials", "pass", `Signed in as "${peer.user}".`),
    check("database", "pass", `Database "${peer.database}" exists.`),
  ];
}

/** The connection steps that passed, then the one that failed. */
function connectionChecks(peer: PeerConnection, failedAt: ConnectStage, message: string): PeerCheck[] {
  const failed = CONNECTION_STAGES.indexOf(failedAt);
  return [...passedConnectionChecks(peer).slice(0, failed), check(failedAt, "fail", message)];
}

async function checkServer(client: pg.Client, peer: PeerConnection, deadline: number): Promise<Omit<PeerValidation, "durationMs">> {
  const close = () => void client.end().catch(() => {});
  let info: ServerInfo;
  let role: RoleFacts & { tls: boolean };
  try {
    // The version first, on its own: the other questions may not even parse on an ancient server.
    const version = await beforeDeadline(serverVersion(client), deadline, "reading the server version", close);
    const supported = versionCheck(version);
    if (supported.status === "fail") {
      return {
        ok: true,
        checks: [...passedConnectionChecks(peer), supported],
        usableAsTarget: false,
        usableAsCdcSource: false,
        serverVersion: version.version,
        serverVersionNum: version.versionNum,
      };
    }
    info = await beforeDeadline(serverInfo(client), deadline, "reading server settings", close);
    role = await beforeDeadline(roleFacts(client), deadline, "reading the user's privileges", close);
  } catch (error) {
    // Connected, but the server did not answer the checks (in time): say so on each of them.
    const reason = scrubSecret(error instanceof Error ? error.message : String(error), peer.password);
    const unchecked: CheckId[] = ["version", "wal_level", "replication_privilege", "replication_slots", "wal_senders"];
    return {
      ok: true,
      checks: [
        ...passedConnectionChecks(peer),
        ...unchecked.map((id) => check(id, "warn", `Could not check: ${reason}`, "Run the validation again.")),
      ],
      usableAsTarget: false,
      usableAsCdcSource: false,
    };
  }

  const checks = [
    ...passedConnectionChecks(peer, role.tls),
    versionCheck(info),
    walLevelCheck(info, role),
    replicationPrivilegeCheck(role),
    replicationSlotsCheck(info),
    walSendersCheck(info),
  ];
  const usableAsTarget = checks.every((c) => c.status !== "fail");
  return {
    ok: true,
    checks,
    usableAsTarget,
    usableAsCdcSource: usableAsTarget && checks.every((c) => c.status === "pass"),
    serverVersion: info.version,
    serverVersionNum: info.versionNum,
    tls: role.tls,
  };
}

async function serverVersion(client: pg.Client): Promise<{ version: string; versionNum: number }> {
  const { rows } = await client.query<{ version: string; version_num: number }>(
    `select current_setting('server_version') as version, current_setting('server_version_num')::int as version_num`,
  );
  return { version: rows[0].version, versionNum: rows[0].version_num };
}

async function roleFacts(client: pg.Client): Promise<RoleFacts & { tls: boolean }> {
  const { rows } = await client.query<{
    role_name: string;
    superuser: boolean;
    replication: boolean;
    rds_replication: boolean;
    on_rds: boolean;
    tls: boolean | null;
  }>(`
    select r.rolname as role_name, r.rolsuper as superuser, r.rolreplication as replication,
           coalesce((select pg_has_role(current_user, g.oid, 'MEMBER') from pg_roles g where g.rolname = 'rds_replication'), false)
             as rds_replication,
           current_setting('rds.logical_replication', true) is not null as on_rds,
           (select s.ssl from pg_stat_ssl s where s.pid = pg_backend_pid()) as tls
    from pg_roles r where r.rolname = current_user`);
  const row = rows[0];
  return {
    user: row.role_name,
    superuser: row.superuser,
    replication: row.replication,
    rdsReplication: row.rds_replication,
    onRds: row.on_rds,
    tls: row.tls === true,
  };
}
