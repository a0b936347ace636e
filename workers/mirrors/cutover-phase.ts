import type pg from "pg";
import type { Cutover, CutoverStep, Mirror, MirrorTable, Prisma } from "@/lib/catalog/generated/client";
import { markCutoverSwitched } from "@/lib/catalog/cutover-abort";
import {
  CUTOVER_STEPS,
  type CutoverOptions,
  type CutoverStepName,
  cutoverOptionsSchema,
  type FenceRecord,
  fenceUndoSql,
  type ReverseRecord,
  reverseReplicationName,
} from "@/lib/catalog/cutover-status";
import { finishCutoverStep, startCutoverStep, updateCutoverStep } from "@/lib/catalog/cutover-steps";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { transitionMirror } from "@/lib/catalog/transition-mirror";
import { cancelVerificationRun } from "@/lib/catalog/verification-cancel";
import { startVerificationRun } from "@/lib/catalog/verification-start";
import { classifyError } from "@/lib/errors/classify";
import { storedSettings } from "@/lib/mirrors/settings";
import { formatLsn } from "@/lib/pg/lsn";
import { connectPeer } from "@/lib/pg/connect";
import { dropPublication, dropSlot } from "@/lib/pg/replication";
import { syncSequences } from "@/lib/pg/sequences";
import { sleep } from "@/lib/sleep";
import { waitApplied } from "@/workers/cutover/drain";
import { applyFence, currentInsertLsn, liftFence, planFence } from "@/workers/cutover/fence";
import { checkPeers } from "@/workers/cutover/preflight";
import { checkObjects } from "@/workers/cutover/preflight-objects";
import { prepareWayBack, reverseBlockers } from "@/workers/cutover/reverse";
import { buildPostData } from "@/workers/schema/post-data";
import { streamChanges } from "./cdc-phase";
import type { RunnerContext } from "./context";
import { tableMappings } from "./load-setup";

/** How often a waiting step re-reads the cutover (an abort) and the verification. Default: 1 s. */
const POLL_MS = 1_000;
/** Index builds at the same time when the objects step builds them. Default: 2. */
const OBJECT_BUILD_PARALLEL = 2;

type LoadedMirror = Mirror & { tables: MirrorTable[] };
type LoadedCutover = Cutover & { steps: CutoverStep[] };

/** A step that cannot succeed as things are: the cutover stops and undoes the fence. */
class StepFailure extends Error {}
/** The user aborted (DELETE …/cutover) while a step waited. */
class AbortRequested extends Error {}

interface Phase {
  ctx: RunnerContext;
  mirror: LoadedMirror;
  cutover: LoadedCutover;
  options: CutoverOptions;
  source: pg.Client;
  target: pg.Client;
  signal: AbortSignal;
  /** Set when the background CDC session failed for good. */
  cdcFailure: () => unknown;
}

interface StepOutcome {
  status: "done" | "skipped";
  output: string;
  detail?: unknown;
}

/**
 * The runner's step for a mirror in `cutover`: drives its cutover (lib/catalog/cutover-status.ts) from
 * wherever the catalog says it is, while CDC keeps applying changes in the background until the switch.
 *
 * Every step stores its outcome before the next starts and is safe to run again, so a worker that dies
 * mid-cutover is replaced by one that continues. Before the switch (the finish step), an abort request or
 * a failing step lifts the fence and sends the mirror back to `running`; after it, the finish step is
 * retried until it is done. Transient errors (an unreachable peer) propagate: the runner retries the phase.
 */
export async function runCutover(ctx: RunnerContext, mirror: LoadedMirror, signal: AbortSignal): Promise<void> {
  const cutover = await ctx.catalog.cutover.findFirst({
    where: { mirrorId: mirror.id, status: { in: ["running", "aborting"] } },
    orderBy: { startedAt: "desc" },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  if (!cutover) {
    // Cannot happen through startCutoverRun (one transaction); a hand-edited catalog gets its mirror back.
    await transitionMirror(ctx.catalog, { id: mirror.id }, "cutover", "running");
    await recordMirrorEvent(ctx.catalog, mirror.id, "warn", "The mirror was cutting over without a cutover record; replication continues.");
    return;
  }
  const options = cutoverOptionsSchema.parse(cutover.options);
  const [sourcePeer, targetPeer] = await Promise.all([loadPeerConnection(ctx.catalog, mirror.sourcePeerId), loadPeerConnection(ctx.catalog, mirror.targetPeerId)]);
  const source = await connectPeer(sourcePeer, `cutover:${mirror.name}`);
  let target: pg.Client | null = null;
  const cdcStop = new AbortController();
  let cdc: Promise<void> | null = null;
  let cdcError: unknown = null;
  try {
    target = await connectPeer(targetPeer, `cutover:${mirror.name}`);
    const phase: Phase = { ctx, mirror, cutover, options, source, target, signal, cdcFailure: () => cdcError };
    if (cutover.status === "aborting" || cutover.error) return await undo(phase, cutover.error);
    if (!cutover.switchedAt) {
      cdc = streamChanges(ctx, mirror, AbortSignal.any([signal, cdcStop.signal]), "cutover").then(
        () => {},
        (error) => {
          cdcError = error;
        },
      );
    }
    for (const name of CUTOVER_STEPS) {
      const step = cutover.steps.find((s) => s.name === name);
      if (step && (step.status === "done" || step.status === "skipped")) continue;
      if (signal.aborted) return;
      if (name === "finish") {
        cdcStop.abort();
        await cdc;
        cdc = null;
        return await finish(phase);
      }
      try {
        await checkStop(phase);
        await startCutoverStep(ctx.catalog, cutover.id, name);
        const outcome = await STEPS[name](phase);
        await finishCutoverStep(ctx.catalog, cutover.id, name, outcome.status, outcome.output, outcome.detail);
        await recordMirrorEvent(ctx.catalog, mirror.id, "info", `Cutover: ${name} ${outcome.status === "done" ? "done" : "skipped"}. ${outcome.output}`);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof AbortRequested) return await undo(phase, null, name);
        const why = error instanceof StepFailure ? error.message : stepError(error);
        if (why === null) throw error;
        await finishCutoverStep(ctx.catalog, cutover.id, name, "failed", why);
        await ctx.catalog.cutover.update({ where: { id: cutover.id }, data: { error: `${name}: ${why}` } });
        return await undo(phase, `${name}: ${why}`);
      }
    }
  } finally {
    cdcStop.abort();
    await cdc;
    await source.end().catch(() => {});
    await target?.end().catch(() => {});
  }
}

/** A permanent error's message, or null for a transient one (the runner retries the phase). */
function stepError(error: unknown): string | null {
  const classified = classifyError(error);
  if (classified.kind === "retry") return null;
  return classified.fix ? `${classified.message} Fix: ${classified.fix}` : classified.message;
}

/** Throws AbortRequested when the user aborted, StepFailure when CDC failed for good. */
async function checkStop(phase: Phase): Promise<void> {
  const row = await phase.ctx.catalog.cutover.findUnique({ where: { id: phase.cutover.id }, select: { status: true } });
  if (row?.status === "aborting") throw new AbortRequested();
  const cdcError = phase.cdcFailure();
  if (cdcError) throw new StepFailure(`Replication stopped: ${(cdcError as Error).message}`);
}

const STEPS: Record<Exclude<CutoverStepName, "finish">, (phase: Phase) => Promise<StepOutcome>> = {
  preflight,
  fence,
  drain,
  sequences,
  objects,
  verify,
};

async function preflight({ mirror, options, source, target }: Phase): Promise<StepOutcome> {
  const blockers: string[] = [];
  const notes: string[] = [];
  if (mirror.lagSeconds !== null && mirror.lagSeconds > options.maxLagSeconds) {
    blockers.push(`Replication lags ${Math.round(mirror.lagSeconds)} s behind the source (at most ${options.maxLagSeconds} s); let it catch up first.`);
  } else {
    notes.push(`Lag ${mirror.lagSeconds === null ? "not measured yet" : `${mirror.lagSeconds.toFixed(1)} s`}.`);
  }
  const failed = mirror.tables.filter((t) => t.status === "failed");
  if (failed.length) blockers.push(`Failed tables: ${failed.map((t) => `${t.sourceSchema}.${t.sourceTable}`).join(", ")}.`);
  const mapping = tableMappings(mirror.tables);
  const peers = await checkPeers(source, target, mapping, { parallel: OBJECT_BUILD_PARALLEL });
  blockers.push(...peers.blockers);
  let warnings: string[] = [];
  if (options.buildObjects) {
    notes.push(...peers.notes);
    // Needs every table on the source; the objects step never runs when it is off, so its blockers do not matter then.
    if (peers.blockers.length === 0) {
      const objects = await checkObjects(source, target, mapping, { reproduceGrants: storedSettings(mirror.settings).reproduceGrants });
      blockers.push(...objects.blockers.map((b) => `${b.object}: ${b.reason}.`));
      warnings = objects.warnings.map((w) => `${w.object} (${w.reason})`);
      if (objects.extensionsToCreate.length) notes.push(`Extensions to create on the target: ${objects.extensionsToCreate.join(", ")}.`);
    }
  }
  if (options.reverse) {
    blockers.push(...(await reverseBlockers(source, target, mapping.map((m) => m.target), mapping.map((m) => m.source))));
    notes.push("A way back is prepared at the switch: a slot and publication on the target for a reverse mirror.");
  }
  if (options.fenceWrites) {
    const grants = await planFence(source, mapping.map((m) => m.source));
    const roles = [...new Set(grants.map((g) => g.grantee ?? "PUBLIC"))];
    notes.push(`The fence will revoke ${grants.length} write privileges${roles.length ? ` from ${roles.join(", ")}` : ""}.`);
  } else {
    notes.push("Writes are not fenced: you confirmed the application stopped writing.");
  }
  // One line per blocker: the step output is the user's to-do list.
  if (blockers.length) throw new StepFailure(`Blocked:\n${blockers.map((b) => `- ${b}`).join("\n")}`);
  if (warnings.length) notes.push(`Will be skipped (${warnings.length}): ${warnings.join("; ")}.`);
  return { status: "done", output: notes.join(" "), detail: { notes, warnings, indexBuildSeconds: peers.indexBuildSeconds } };
}

async function fence({ ctx, mirror, cutover, options, source }: Phase): Promise<StepOutcome> {
  if (!options.fenceWrites) {
    const lsn = await currentInsertLsn(source);
    await ctx.catalog.cutover.update({ where: { id: cutover.id }, data: { fenceLsn: lsn, fencedAt: new Date() } });
    return { status: "skipped", output: `Not fenced: you confirmed that the application stopped writing. Source position ${lsn}.` };
  }
  const tables = tableMappings(mirror.tables).map((m) => m.source);
  // The plan is stored before anything is revoked, so a restart (or an abort) knows what to give back.
  const stored = (await ctx.catalog.cutover.findUnique({ where: { id: cutover.id }, select: { fence: true } }))?.fence as FenceRecord | null;
  const revoked = stored?.revoked ?? (await planFence(source, tables));
  if (!stored) await saveFence(ctx, cutover.id, { revoked, notFenced: [], terminated: 0 });
  const applied = await applyFence(source, revoked, tables);
  const record: FenceRecord = { revoked, ...applied };
  const lsn = await currentInsertLsn(source);
  const fencedAt = new Date();
  await ctx.catalog.cutover.update({
    where: { id: cutover.id },
    data: { fence: record as unknown as Prisma.InputJsonValue, fenceLsn: lsn, fencedAt },
  });
  const roles = [...new Set(revoked.map((g) => g.grantee ?? "PUBLIC"))];
  const parts = [
    `Revoked ${revoked.length} write privileges on ${tables.length} tables${roles.length ? ` from ${roles.join(", ")}` : ""}.`,
    applied.terminated ? `Ended ${applied.terminated} sessions that were writing.` : "",
    applied.notFenced.length ? `Not fenced: ${applied.notFenced.map((r) => `${r.role} (${r.reason})`).join("; ")}.` : "",
    `Fence position ${lsn}.`,
  ];
  return { status: "done", output: parts.filter(Boolean).join(" "), detail: record };
}

async function saveFence(ctx: RunnerContext, id: string, record: FenceRecord): Promise<void> {
  await ctx.catalog.cutover.update({ where: { id }, data: { fence: record as unknown as Prisma.InputJsonValue } });
}

async function drain(phase: Phase): Promise<StepOutcome> {
  const { ctx, mirror, cutover, target, signal } = phase;
  const row = await ctx.catalog.cutover.findUnique({ where: { id: cutover.id }, select: { fenceLsn: true } });
  const lsn = row?.fenceLsn ?? (await currentInsertLsn(phase.source));
  const started = Date.now();
  let lastReport = 0;
  await waitApplied(target, mirror.name, lsn, {
    signal,
    onPosition: async (applied) => {
      await checkStop(phase);
      if (Date.now() - lastReport > 2_000) {
        lastReport = Date.now();
        await updateCutoverStep(ctx.catalog, cutover.id, "drain", { output: `Applied up to ${applied === null ? "nothing yet" : formatLsn(applied)}; waiting for ${lsn}.` });
      }
      return true;
    },
  });
  return { status: "done", output: `The target applied every change up to ${lsn} (${((Date.now() - started) / 1000).toFixed(1)} s).`, detail: { lsn } };
}

async function sequences({ mirror, options, source, target }: Phase): Promise<StepOutcome> {
  const results = await syncSequences(source, target, tableMappings(mirror.tables), { margin: BigInt(options.sequenceMargin) });
  const errors = results.filter((r) => r.status === "error");
  if (errors.length) throw new StepFailure(`Could not sync ${errors.map((r) => `${r.source} (${r.message})`).join("; ")}.`);
  const count = (status: string) => results.filter((r) => r.status === status).length;
  const missing = results.filter((r) => r.status === "missing");
  const output = results.length
    ? `${count("set")} set, ${count("ahead")} already ahead${missing.length ? `, missing on the target: ${missing.map((r) => r.source).join(", ")}` : ""}.`
    : "The mirrored tables use no sequences.";
  return { status: "done", output, detail: results };
}

async function objects({ ctx, mirror, cutover, options, source, target, signal }: Phase): Promise<StepOutcome> {
  if (!options.buildObjects) return { status: "skipped", output: "Not requested: the target's indexes, constraints and other objects are left as they are." };
  let lastReport = 0;
  const result = await buildPostData(source, target, tableMappings(mirror.tables), {
    parallel: OBJECT_BUILD_PARALLEL,
    reproduceGrants: storedSettings(mirror.settings).reproduceGrants,
    buildMemoryMb: storedSettings(mirror.settings).indexBuildMemoryMb,
    signal,
    onProgress: (p) => {
      if (Date.now() - lastReport < 1_000) return;
      lastReport = Date.now();
      const current = p.current ? `, ${p.current.name}${p.current.percent === null ? "" : ` ${Math.round(p.current.percent)} %`}` : "";
      void updateCutoverStep(ctx.catalog, cutover.id, "objects", { output: `Building ${p.done}/${p.total}${current}` }).catch(() => {});
    },
  });
  const skipped = result.skipped.length ? ` Skipped ${result.skipped.length}: ${result.skipped.map((s) => `${s.object} (${s.reason})`).join("; ")}.` : "";
  return { status: "done", output: `Built ${result.built.length} objects.${skipped}`, detail: result };
}

async function verify(phase: Phase): Promise<StepOutcome> {
  const { ctx, mirror, cutover, options, signal } = phase;
  if (!options.verify) return { status: "skipped", output: "Not requested." };
  const row = await ctx.catalog.cutover.findUnique({ where: { id: cutover.id }, select: { verificationId: true } });
  let id = row?.verificationId ?? null;
  if (!id) {
    id = await startVerificationRun(ctx.catalog, mirror.id, mirror.tables);
    await ctx.catalog.cutover.update({ where: { id: cutover.id }, data: { verificationId: id } });
    await updateCutoverStep(ctx.catalog, cutover.id, "verify", { output: `Verification ${id} started.`, detail: { verificationId: id } });
  }
  for (;;) {
    const run = await ctx.catalog.verification.findUnique({ where: { id }, include: { tables: true } });
    if (!run) throw new StepFailure(`Verification ${id} is gone.`);
    if (run.status === "passed") {
      const rows = run.tables.reduce((sum, t) => sum + Number(t.sourceRows), 0);
      return { status: "done", output: `Verification passed: ${run.tables.length} tables, ${rows} rows equal.`, detail: { verificationId: id } };
    }
    if (run.status !== "running") {
      const bad = run.tables.filter((t) => t.status !== "equal").map((t) => `${t.sourceSchema}.${t.sourceTable} ${t.status}${t.error ? ` (${t.error})` : ""}`);
      throw new StepFailure(`Verification ${id} ${run.status}${run.error ? `: ${run.error}` : ""}${bad.length ? `; ${bad.join(", ")}` : ""}.`);
    }
    try {
      await checkStop(phase);
    } catch (error) {
      // The comparison is pointless once the cutover stops.
      await cancelVerificationRun(ctx.catalog, id);
      throw error;
    }
    await sleep(POLL_MS, signal);
    if (signal.aborted) throw new AbortRequested();
  }
}

/** The switch: CDC is already stopped; drops the slot and publication, and the mirror is completed. Retried until done. */
async function finish(phase: Phase): Promise<void> {
  const { ctx, mirror, cutover, options, source } = phase;
  if (!(await markCutoverSwitched(ctx.catalog, cutover.id))) return; // an abort came first: the next round undoes
  await startCutoverStep(ctx.catalog, cutover.id, "finish");
  const parts = ["Replication stopped."];
  const reverse = options.reverse ? await wayBack(phase) : undefined;
  if (reverse?.lsn) parts.push(`Way back ready: slot and publication ${reverse.slotName} on the target start at ${reverse.lsn}; create the reverse mirror before the application writes there, or drop them (SELECT pg_drop_replication_slot('${reverse.slotName}'); DROP PUBLICATION ${reverse.publicationName};) if you will not need it.`);
  if (reverse?.error) parts.push(`No way back: ${reverse.error}`);
  if (options.dropSource) {
    const { dropped } = await dropSlot(source, mirror.slotName);
    await dropPublication(source, mirror.publicationName);
    parts.push(`${dropped ? "Dropped" : "No"} slot ${mirror.slotName}; publication ${mirror.publicationName} dropped.`);
  } else {
    parts.push(`Slot ${mirror.slotName} and publication ${mirror.publicationName} kept (dropSource: false): drop them when you no longer need them, the slot keeps WAL on the source.`);
  }
  const fenced = cutover.fencedAt ? " The source stays fenced: the application now writes to the target." : "";
  await finishCutoverStep(ctx.catalog, cutover.id, "finish", "done", parts.join(" ") + fenced, reverse ? { reverse } : undefined);
  await ctx.catalog.$transaction(async (tx) => {
    await tx.cutover.update({ where: { id: cutover.id }, data: { status: "done", finishedAt: new Date() } });
    await transitionMirror(tx, { id: mirror.id }, "cutover", "completed", { lagBytes: null, lagSeconds: null });
  });
  await recordMirrorEvent(ctx.catalog, mirror.id, "info", "Cutover done: the target is the database now.", { cutover: cutover.id });
}

/**
 * The way back, at the switch: CDC has stopped and the application has not moved yet, so the target's
 * changes from the slot's consistent point on are exactly the application's (workers/cutover/reverse.ts).
 * A permanent failure is reported and the cutover still finishes: the switch matters more than the way back.
 */
async function wayBack({ ctx, mirror, cutover, target }: Phase): Promise<ReverseRecord> {
  const name = reverseReplicationName(cutover.id);
  const record: ReverseRecord = { slotName: name, publicationName: name, lsn: null };
  try {
    const { lsn } = await prepareWayBack(target, name, tableMappings(mirror.tables).map((m) => m.target));
    record.lsn = lsn;
    await updateCutoverStep(ctx.catalog, cutover.id, "finish", { detail: { reverse: record } });
  } catch (error) {
    const why = stepError(error);
    if (why === null) throw error;
    record.error = why;
    await recordMirrorEvent(ctx.catalog, mirror.id, "error", `Cutover: the way back could not be prepared: ${why}`, { cutover: cutover.id });
  }
  return record;
}

/**
 * Before the switch: lifts the fence (grants back exactly what was revoked), settles the cutover as
 * aborted (asked for) or failed (`why`), and sends the mirror back to `running`. Idempotent.
 */
async function undo(phase: Phase, why: string | null, stoppedAt?: CutoverStepName): Promise<void> {
  const { ctx, mirror, cutover, source } = phase;
  const row = await ctx.catalog.cutover.findUniqueOrThrow({ where: { id: cutover.id }, include: { steps: true } });
  const record = row.fence as FenceRecord | null;
  let lifted = "";
  let stillFenced: string | null = null;
  if (record && !record.liftedAt) {
    try {
      await liftFence(source, record.revoked);
      const { liftError: _previous, ...rest } = record;
      await ctx.catalog.cutover.update({
        where: { id: cutover.id },
        data: { fence: { ...rest, liftedAt: new Date().toISOString() } as unknown as Prisma.InputJsonValue },
      });
      lifted = ` Write privileges restored (${record.revoked.length}).`;
    } catch (error) {
      // Retrying cannot help (a grantee role was dropped, pgferry lost the right to grant): the cutover still
      // settles and replication continues, but the source stays fenced and the mirror says so with the SQL to undo it.
      const why = stepError(error);
      if (why === null) throw error;
      stillFenced = why;
      await ctx.catalog.cutover.update({ where: { id: cutover.id }, data: { fence: { ...record, liftError: why } as unknown as Prisma.InputJsonValue } });
    }
  }
  for (const step of row.steps.filter((s) => s.status === "running")) {
    await finishCutoverStep(ctx.catalog, cutover.id, step.name as CutoverStepName, "failed", why ?? (stoppedAt ? `Aborted by the user during ${stoppedAt}.` : "Aborted by the user."));
  }
  await ctx.catalog.cutoverStep.updateMany({ where: { cutoverId: cutover.id, status: "pending" }, data: { status: "skipped" } });
  const aborted = row.status === "aborting" || (why === null && row.error === null);
  await ctx.catalog.$transaction(async (tx) => {
    await tx.cutover.update({ where: { id: cutover.id }, data: { status: aborted ? "aborted" : "failed", finishedAt: new Date() } });
    await transitionMirror(tx, { id: mirror.id }, "cutover", "running");
  });
  await recordMirrorEvent(
    ctx.catalog,
    mirror.id,
    aborted ? "info" : "error",
    aborted ? `Cutover aborted; replication continues.${lifted}` : `Cutover stopped: ${why ?? row.error}.${lifted} Replication continues; fix the cause and start the cutover again.`,
    { cutover: cutover.id },
  );
  if (stillFenced && record) {
    await recordMirrorEvent(
      ctx.catalog,
      mirror.id,
      "error",
      `The source is still fenced: lifting the fence failed (${stillFenced}). The application cannot write to the mirrored tables until it is lifted: ` +
        `use "Lift fence" on the Cutover tab (POST …/cutover/unfence) once the cause is fixed, or run on the source:\n${fenceUndoSql(record)}`,
      { cutover: cutover.id, sql: fenceUndoSql(record) },
    );
  }
}
