/**
 * One CDC session: connect to both sides, pick the start position, stream from the slot and
 * hand each message to the applier, in order, until asked to stop or something fails. The retry
 * loop around it (stream.ts) starts a new session after a transient failure.
 *
 * Commit policy between source transactions: the batch is committed once it holds maxBatchRows
 * row changes, is maxBatchLatencyMs old, or the stream has nothing more queued — so a busy stream
 * forms large batches by itself and an idle one commits at once.
 */
import type pg from "pg";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { formatLsn, parseLsn } from "@/lib/pg/lsn";
import { decodePgoutput, type PgoutputMessage } from "@/lib/pg/pgoutput";
import { Applier } from "@/workers/cdc/applier";
import { connectForCdc } from "@/workers/cdc/connect";
import { EnumLabels } from "@/workers/cdc/enum-labels";
import { ensureProgressTable, progressUpsert, readProgress } from "@/workers/cdc/progress";
import { ReplicationStream } from "@/workers/cdc/replication-stream";
import type { RunState } from "@/workers/cdc/run-state";
import { SchemaSync } from "@/workers/cdc/schema-changes";
import { type StreamCommit, StreamedTransactions } from "@/workers/cdc/streamed-transactions";
import type { TransactionSpool } from "@/workers/cdc/spool";
import type { SchemaContext } from "@/workers/cdc/schema-context";
import { chooseStart, readSlot } from "@/workers/cdc/slot";
import type { TablePlan } from "@/workers/cdc/apply-plan";
import {
  type CdcOptions,
  DEFAULT_IDLE_ACK_INTERVAL_MS,
  DEFAULT_MAX_BATCH_LATENCY_MS,
  DEFAULT_MAX_BATCH_ROWS,
  DEFAULT_STATUS_INTERVAL_MS,
} from "@/workers/cdc/types";

/**
 * Pipelining limits: 8 MiB of column values per statement; up to 16 statements or 16 MiB of
 * values on the wire. Together with the stream's 16 MiB queue they bound CDC's memory.
 */
const MAX_STATEMENT_BYTES = 8 * 1024 * 1024;
const MAX_IN_FLIGHT = 16;
const MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024;

/** pgoutput streams in-progress transactions from PostgreSQL 14 on (protocol 2). */
const STREAMING_MIN_VERSION = 140000;

function tableKey(schema: string, name: string): string {
  return `${schema}\u0000${name}`;
}

/** One connection attempt: connect, stream and apply until aborted or an error. */
export async function runSession(options: CdcOptions, state: RunState): Promise<void> {
  const { mirror, signal } = options;
  const maxBatchRows = options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS;
  const maxLatency = options.maxBatchLatencyMs ?? DEFAULT_MAX_BATCH_LATENCY_MS;
  const idleAckInterval = options.idleAckIntervalMs ?? DEFAULT_IDLE_ACK_INTERVAL_MS;
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
    const slot = await readSlot(source, options.slotName, options.source.database);
    // Read after the slot: the slot is never confirmed past the stored position and both only grow,
    // so this order sees stored >= confirmed even while another session (an owner on its way out)
    // still advances them. The other order could read an older stored position than the slot's and
    // take it for lost changes.
    const stored = await readProgress(apply, mirror);
    const version = await source.query<{ v: number }>("SELECT pg_catalog.current_setting('server_version_num')::int AS v");
    const startLsn = options.startLsn === undefined ? null : typeof options.startLsn === "string" ? parseLsn(options.startLsn) : options.startLsn;
    const start = chooseStart(stored, startLsn, slot, options.slotName);
    // Store the start first: the slot is then never confirmed past what the target records.
    if (stored === null || stored < start) await apply.query(progressUpsert(mirror, start));
    state.source = source;
    state.appliedLsn = start;

    const applierOptions = {
      mirror,
      committedLsn: start,
      maxStatementRows: maxBatchRows,
      maxStatementBytes: MAX_STATEMENT_BYTES,
      maxInFlight: MAX_IN_FLIGHT,
      maxInFlightBytes: MAX_IN_FLIGHT_BYTES,
      onFailure: () => stream?.interrupt(),
    };
    const applier = new Applier(apply, {
      ...applierOptions,
      onCommitted: (batch) => {
        // The slot may now be confirmed up to the batch's position.
        stream?.sendStatus();
        state.batch(batch);
      },
    });
    // A second target connection for a large transaction applied while the source streams it.
    let eagerApplier: Promise<Applier> | null = null;
    const openEagerApplier = () => {
      eagerApplier ??= connectForCdc(options.target, `cdc:${mirror}:stream`, { pipeline: true }).then(async (client) => {
        clients.push(client);
        await prepareApplySession(client, state);
        // One batch per streamed transaction, reported like the main ones; the slot is confirmed
        // past it once the main applier has advanced (see StreamedTransactions.committed).
        return new Applier(client, { ...applierOptions, onCommitted: (batch) => state.batch(batch) });
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
    const schema = new SchemaSync(ctx);
    const enums = new EnumLabels(ctx);
    const mappings = new Map<string, TableMapping>(options.tables.map((table) => [tableKey(table.source.schema, table.source.name), table]));
    const relations = new Map<number, TablePlan | null>();

    stream = await ReplicationStream.start({
      peer: options.source,
      purpose: `cdc:${mirror}`,
      slotName: options.slotName,
      publicationName: options.publicationName,
      startLsn: start,
      feedback: () => applier.committedLsn,
      statusIntervalMs: options.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS,
      streaming: options.streaming !== false && version.rows[0].v >= STREAMING_MIN_VERSION,
    });
    const live = stream;
    state.event({ level: "info", message: `Streaming from slot ${options.slotName} at ${formatLsn(start)}.`, detail: { lsn: formatLsn(start) } });

    let inTransaction = false;
    let skipping = false;
    let lastIdleAck = 0;
    state.oldestPending = () => applier.oldestPendingCommitTime;

    const commitBatch = () => applier.commit();
    /** Between source transactions: commit when the batch is full, old enough, or nothing more is waiting. */
    const maybeCommit = async () => {
      if (inTransaction || !applier.open) return;
      if (applier.rowsInBatch >= maxBatchRows || applier.batchAgeMs >= maxLatency || live.queued === 0) await commitBatch();
    };
    const idleAck = async () => {
      if (inTransaction || applier.busy || live.queued > 0) return;
      if (Date.now() - lastIdleAck < idleAckInterval) return;
      if (await applier.persistPosition()) {
        lastIdleAck = Date.now();
        state.appliedLsn = applier.committedLsn;
        state.progressed = true;
        live.sendStatus();
      }
    };
    const plan = (relationId: number): TablePlan | null => {
      const found = relations.get(relationId);
      if (found === undefined) throw new Error(`pgoutput: change for relation ${relationId} before its Relation message`);
      return found;
    };
    /** Applies one message; changes go to `into` (the main applier, or the one of a streamed transaction). */
    const handle = async (message: PgoutputMessage, into: Applier = applier) => {
      switch (message.tag) {
        case "begin":
          inTransaction = true;
          skipping = message.finalLsn < start;
          if (skipping) return;
          if (applier.open && applier.batchAgeMs >= maxLatency) await commitBatch();
          applier.beginSource(message);
          return;
        case "commit":
          inTransaction = false;
          if (!skipping) applier.endSource(message);
          skipping = false;
          await maybeCommit();
          await idleAck();
          return;
        case "relation": {
          const mapping = mappings.get(tableKey(message.namespace, message.name));
          if (!mapping) {
            relations.set(message.relationId, null);
            state.warnOnce(
              `unmapped:${message.namespace}.${message.name}`,
              `Publication ${options.publicationName} sends changes of ${message.namespace}.${message.name}, which is not one of the mirror's tables; they are ignored.`,
            );
            return;
          }
          const previous = relations.get(message.relationId);
          if (previous && sameShape(previous, message)) return;
          const built = await schema.reconcile(message, mapping);
          await enums.load(built);
          relations.set(message.relationId, built);
          return;
        }
        case "insert": {
          const target = skipping ? null : plan(message.relationId);
          if (!target) return;
          if (target.enumColumns.length) await enums.ensure(target, message.newTuple);
          await into.insert(target, message.newTuple);
          return;
        }
        case "update": {
          const target = skipping ? null : plan(message.relationId);
          if (!target) return;
          if (target.enumColumns.length) await enums.ensure(target, message.newTuple);
          await into.update(target, message);
          return;
        }
        case "delete": {
          const target = skipping ? null : plan(message.relationId);
          if (!target) return;
          await into.delete(target, message);
          return;
        }
        case "truncate": {
          if (skipping) return;
          const targets = message.relationIds.map(plan).filter((found): found is TablePlan => found !== null);
          await into.truncate(targets, message.restartIdentity);
          return;
        }
        default:
          // Type, Origin and logical decoding messages carry nothing to apply.
          return;
      }
    };

    /** A committed streamed transaction, from its spool: Begin, its changes in order, Commit. */
    const replay = async (commit: StreamCommit, spool: TransactionSpool) => {
      try {
        await handle({ tag: "begin", finalLsn: commit.commitLsn, commitTime: commit.commitTime, commitTimeMicros: commit.commitTimeMicros, xid: commit.xid });
        if (!skipping) for (const raw of spool.messages()) await handle(decodePgoutput(raw));
        await handle({ tag: "commit", flags: commit.flags, commitLsn: commit.commitLsn, endLsn: commit.endLsn, commitTime: commit.commitTime, commitTimeMicros: commit.commitTimeMicros });
      } finally {
        spool.discard();
      }
    };
    const streamed = new StreamedTransactions(
      {
        main: applier,
        eagerApplier: openEagerApplier,
        changesSchema: (message) => {
          const previous = relations.get(message.relationId);
          return mappings.has(tableKey(message.namespace, message.name)) && !(previous && sameShape(previous, message));
        },
        apply: handle,
        replay,
        committed: () => {
          state.appliedLsn = applier.committedLsn;
          live.sendStatus();
        },
      },
      start,
    );

    const pollMs = Math.min(1_000, idleAckInterval);
    while (!signal.aborted) {
      applier.throwIfFailed();
      streamed.throwIfFailed();
      const item = await live.next(pollMs);
      state.receivedLsn = live.lastReceivedLsn;
      if (item === null) {
        await maybeCommit();
        await idleAck();
      } else if (item.kind === "keepalive") {
        if (!inTransaction) {
          applier.notePosition(item.walEnd);
          await maybeCommit();
          await idleAck();
        }
      } else if (item.kind === "streamStart") {
        await streamed.blockStarts(item.xid);
      } else if (item.kind === "streamChange") {
        await streamed.change(item.xid, item.subxid, item.message);
      } else if (item.kind === "streamAbort") {
        await streamed.aborted(item.xid, item.subxid);
      } else if (item.kind === "streamed") {
        await streamed.committed(item.commit, item.spool);
      } else if (item.kind === "data") {
        await handle(item.message);
      }
    }
    // Asked to stop: keep the complete source transactions applied so far.
    if (!inTransaction) await commitBatch();
    await applier.drain();
  } finally {
    signal.removeEventListener("abort", onAbort);
    state.oldestPending = () => null;
    state.source = null;
    await stream?.close();
    // Ending the apply connection rolls back an unfinished batch; the stored position still
    // points before it, so it is received and applied again on restart.
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
    const pendingSide = side as Promise<pg.Client> | null;
    if (pendingSide) await pendingSide.then((client) => client.end()).catch(() => {});
  }
}

/** Same columns, types and identity as the plan was built for: no need to look at the target again. */
function sameShape(plan: TablePlan, message: PgoutputMessage & { tag: "relation" }): boolean {
  const before = plan.relation;
  return (
    before.replicaIdentity === message.replicaIdentity &&
    before.columns.length === message.columns.length &&
    before.columns.every((column, i) => {
      const now = message.columns[i];
      return column.name === now.name && column.typeOid === now.typeOid && column.typeMod === now.typeMod && column.isKey === now.isKey;
    })
  );
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
