/**
 * One CDC session: connect to both sides, pick the start position, build the parts and read the
 * stream until asked to stop or something fails. The retry loop around it (stream.ts) starts a new
 * session after a transient failure.
 *
 * The parts: replication-stream.ts (walsender connection) -> stream-reader.ts (read loop) ->
 * dispatcher.ts (session state, commit policy, acknowledgement) -> applier.ts (the target).
 */
import type pg from "pg";
import { formatLsn, type Lsn, parseLsn } from "@/lib/pg/lsn";
import { Applier, type ApplierOptions } from "@/workers/cdc/applier";
import { connectForCdc } from "@/workers/cdc/connect";
import { Dispatcher } from "@/workers/cdc/dispatcher";
import { EnumLabels } from "@/workers/cdc/enum-labels";
import { ensureProgressTable, progressUpsert, readProgress } from "@/workers/cdc/progress";
import { RelationPlans } from "@/workers/cdc/relation-plans";
import { ReplicationStream } from "@/workers/cdc/replication-stream";
import type { RunState } from "@/workers/cdc/run-state";
import { SchemaSync } from "@/workers/cdc/schema-changes";
import type { SchemaContext } from "@/workers/cdc/schema-context";
import { chooseStart, readSlot } from "@/workers/cdc/slot";
import { readStream } from "@/workers/cdc/stream-reader";
import {
  type CdcOptions,
  DEFAULT_IDLE_ACK_INTERVAL_MS,
  DEFAULT_STATUS_INTERVAL_MS,
} from "@/workers/cdc/types";

/**
 * Pipelining limits: 8 MiB of column values per statement; up to 16 statements or 4 MiB of
 * values on the wire. Together with the stream's 4 MiB queue they bound CDC's memory. A value on
 * the wire is held about three times (the change's string, the statement's array literal, the
 * encoded message), and a few full statements queued at the target keep it as busy as many.
 */
const MAX_STATEMENT_BYTES = 8 * 1024 * 1024;
const MAX_IN_FLIGHT = 16;
const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;

/** What a RunState reports between sessions: nothing is waiting. */
const nothingPending = (): Date | null => null;

/** pgoutput streams in-progress transactions from PostgreSQL 14 on (protocol 2). */
const STREAMING_MIN_VERSION = 140000;

/** One connection attempt: connect, stream and apply until aborted or an error. */
export async function runSession(options: CdcOptions, state: RunState): Promise<void> {
  const { mirror, signal } = options;
  const idleAckIntervalMs = options.idleAckIntervalMs ?? DEFAULT_IDLE_ACK_INTERVAL_MS;
  const clients: pg.Client[] = [];
  let stream: ReplicationStream | null = null;
  let side: Promise<pg.Client> | null = null;
  const onAbort = () => stream?.interrupt();
  signal.addEventListener("abort", onAbort);
  try {
    const apply = await connectForCdc(options.target, `cdc:${mirror}`, { pipeline: true });
    clients.push(apply);
    await prepareApplySession(apply, state);
    await ensureProgressTable(apply);

    const source = await connectForCdc(options.source, `cdc:${mirror}:meta`, { pipeline: true });
    clients.push(source);
    // Empty search_path: format_type() then schema-qualifies every type outside pg_catalog, so
    // type names read here are valid on the target whatever its search_path.
    await source.query("SELECT pg_catalog.set_config('search_path', '', false)");
    const { start, streaming } = await chooseSessionStart(options, source, apply);
    state.source = source;
    state.appliedLsn = start;

    // The dispatcher is made once the appliers exist; batches commit only after it does.
    let dispatcher: Dispatcher | null = null;
    // A function, not an object to spread: spreading would freeze the live statement limit's getter.
    const applierOptions = (onCommitted: ApplierOptions["onCommitted"]): ApplierOptions => ({
      mirror,
      committedLsn: start,
      get maxStatementRows() {
        return state.limits.maxBatchRows;
      },
      maxStatementBytes: MAX_STATEMENT_BYTES,
      maxInFlight: MAX_IN_FLIGHT,
      maxInFlightBytes: MAX_IN_FLIGHT_BYTES,
      onFailure: () => stream?.interrupt(),
      onCommitted,
    });
    const applier = new Applier(apply, applierOptions((batch) => dispatcher?.batchCommitted(batch)));
    // A second target connection for a large transaction applied while the source streams it.
    let eagerApplier: Promise<Applier> | null = null;
    const openEagerApplier = () => {
      eagerApplier ??= connectForCdc(options.target, `cdc:${mirror}:stream`, { pipeline: true }).then(async (client) => {
        clients.push(client);
        await prepareApplySession(client, state);
        // One batch per streamed transaction, reported like the main ones; the slot is confirmed
        // past it once the main applier has advanced (see StreamedTransactions.committed).
        return new Applier(client, applierOptions((batch) => state.batch(batch)));
      });
      return eagerApplier;
    };
    const ctx: SchemaContext = {
      mirror,
      source,
      apply,
      applier,
      side: () => {
        side ??= connectForCdc(options.target, `cdc:${mirror}:ddl`).then(async (client) => {
          clients.push(client);
          // Never wait long behind a lock: a stuck ADD VALUE should fail and be retried.
          await client.query("SET lock_timeout = '10s'");
          return client;
        });
        return side;
      },
      warnOnce: (key, message, detail) => state.warnOnce(key, message, detail),
      info: (message, detail) => state.event({ level: "info", message, detail }),
    };
    const relations = new RelationPlans(
      options.tables,
      options.publicationName,
      new SchemaSync(ctx),
      new EnumLabels(ctx),
      (key, message) => state.warnOnce(key, message),
      options.ignoredTables,
    );
    const link = {
      get queued() {
        return stream?.queued ?? 0;
      },
      sendStatus: (replyRequested?: boolean) => stream?.sendStatus(replyRequested),
    };
    const { limits } = state;
    const live = new Dispatcher(
      { applier, eagerApplier: openEagerApplier, relations, stream: link, report: state },
      {
        start,
        get maxBatchRows() {
          return limits.maxBatchRows;
        },
        get maxBatchLatencyMs() {
          return limits.maxBatchLatencyMs;
        },
        idleAckIntervalMs,
        ceiling: options.ceiling,
      },
    );
    dispatcher = live;
    state.oldestPending = () => applier.oldestPendingCommitTime;

    stream = await ReplicationStream.start({
      peer: options.source,
      purpose: `cdc:${mirror}`,
      slotName: options.slotName,
      publicationName: options.publicationName,
      startLsn: start,
      feedback: () => live.acknowledgeable(),
      statusIntervalMs: options.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS,
      streaming,
    });
    state.event({ level: "info", message: `Streaming from slot ${options.slotName} at ${formatLsn(start)}.`, detail: { lsn: formatLsn(start) } });
    await readStream(stream, live, signal, Math.min(1_000, idleAckIntervalMs));
  } finally {
    signal.removeEventListener("abort", onAbort);
    // Not a closure made here: any function created in this scope keeps its whole scope alive (stream,
    // appliers, queued messages), and the RunState outlives the session.
    state.oldestPending = nothingPending;
    state.source = null;
    await stream?.close();
    // Ending the apply connection rolls back an unfinished batch; the stored position still
    // points before it, so it is received and applied again on restart.
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
    const pendingSide = side as Promise<pg.Client> | null;
    if (pendingSide) await pendingSide.then((client) => client.end()).catch(() => {});
  }
}

/**
 * The session's start position (and whether to ask for streaming). Stores the start on the target
 * first when it is ahead of what is stored there: the slot is then never confirmed past what the
 * target records.
 */
async function chooseSessionStart(options: CdcOptions, source: pg.Client, apply: pg.Client): Promise<{ start: Lsn; streaming: boolean }> {
  const slot = await readSlot(source, options.slotName, options.source.database);
  // Read after the slot: the slot is never confirmed past the stored position and both only grow,
  // so this order sees stored >= confirmed even while another session (an owner on its way out)
  // still advances them. The other order could read an older stored position than the slot's and
  // take it for lost changes.
  const stored = await readProgress(apply, options.mirror);
  const version = await source.query<{ v: number }>("SELECT pg_catalog.current_setting('server_version_num')::int AS v");
  const startLsn = options.startLsn === undefined ? null : typeof options.startLsn === "string" ? parseLsn(options.startLsn) : options.startLsn;
  const start = chooseStart(stored, startLsn, slot, options.slotName);
  if (stored === null || stored < start) await apply.query(progressUpsert(options.mirror, start));
  // A stream behind a ceiling decides per transaction at its commit; one applied while it streams would already be on the target.
  const streaming = options.streaming !== false && !options.ceiling && version.rows[0].v >= STREAMING_MIN_VERSION;
  return { start, streaming };
}

/**
 * session_replication_role = replica, as native logical replication does: triggers and foreign
 * keys on target tables do not fire for replicated rows (they already fired on the source).
 * Needs superuser (or, from PostgreSQL 15, GRANT SET); without it pgferry carries on and says so.
 */
async function prepareApplySession(apply: pg.Client, state: RunState): Promise<void> {
  try {
    await apply.query("SET session_replication_role = replica");
  } catch (error) {
    if ((error as { code?: string }).code !== "42501") throw error;
    state.warnOnce(
      "replica-role",
      "The target user may not set session_replication_role, so triggers and foreign keys on target tables fire for replicated rows. " +
        "Grant it (PostgreSQL 15+: GRANT SET ON PARAMETER session_replication_role TO <user>) or keep triggers and foreign keys off the target until cutover.",
    );
  }
}
