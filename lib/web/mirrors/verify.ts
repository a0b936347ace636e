import { z } from "zod";
import type { PrismaClient, Verification, VerificationTable } from "@/lib/catalog/generated/client";
import { cancelVerificationRun } from "@/lib/catalog/verification-cancel";
import { startVerificationRun } from "@/lib/catalog/verification-start";
import { VERIFIABLE_MIRROR_STATUSES, type VerificationStatus, type VerificationTableStatus } from "@/lib/catalog/verification-status";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { formatQualifiedName, parseQualifiedName } from "@/lib/mirrors/table-mapping";
import { notFound } from "./views";
import { CURRENT_TABLES } from "@/lib/catalog/current-tables";

/**
 * Verification runs of a mirror, as the API and the Verify tab see them. The web app only creates,
 * reads and cancels runs; workers compare (workers/jobs/verify-table.ts).
 */

/** `POST /api/v1/mirrors/{name}/verify`: which tables; all of the mirror's when left out. */
export const verifyRequestSchema = z
  .object({
    tables: z
      .array(
        z.string().superRefine((value, ctx) => {
          try {
            parseQualifiedName(value);
          } catch (error) {
            ctx.addIssue({ code: "custom", message: (error as Error).message });
          }
        }),
      )
      .min(1, { error: "Choose at least one table, or leave tables out to verify all of them." })
      .optional(),
  })
  .strict();
export type VerifyRequest = z.input<typeof verifyRequestSchema>;

export type DifferenceKind = "missing" | "extra" | "changed";

export interface VerificationTableView {
  source: string;
  target: string;
  /** "pending" until the table's comparison finished (also while it runs, or when the run was cancelled first). */
  status: "equal" | "different" | "error" | "pending";
  /** The table's own state, more precise than status: pending | running | equal | different | error | cancelled. */
  state: VerificationTableStatus;
  sourceRows: number;
  targetRows: number;
  differences: number;
  examples: { kind: DifferenceKind; key: Record<string, string | null> }[];
  chunksDone: number;
  chunksTotal: number;
  error: string | null;
}

export interface VerificationProgress {
  tablesDone: number;
  tablesTotal: number;
  chunksDone: number;
  chunksTotal: number;
  rowsCompared: number;
  differences: number;
  /** Seconds left at the rate so far, while running; null when unknown. */
  etaSeconds: number | null;
}

export interface VerificationView {
  id: string;
  status: VerificationStatus;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  progress: VerificationProgress;
  tables: VerificationTableView[];
}

/** A run in a list: everything but the tables. */
export type VerificationSummary = Omit<VerificationView, "tables">;

const FINISHED: VerificationTableStatus[] = ["equal", "different", "error", "cancelled"];

/**
 * Starts a verification of some or all of a mirror's tables. 409 while the mirror is being set up,
 * loaded, has failed or is being deleted, or while another run of it is still running; 400 for a
 * table the mirror does not copy.
 */
export async function startVerification(catalog: PrismaClient, name: string, input: unknown): Promise<{ id: string }> {
  const request = verifyRequestSchema.parse(input ?? {});
  // Removed tables (lib/web/mirrors/edit.ts) are history: no longer mirrored, so left out.
  const mirror = await catalog.mirror.findUnique({ where: { name }, include: CURRENT_TABLES });
  if (!mirror) throw notFound(name);
  if (!VERIFIABLE_MIRROR_STATUSES.includes(mirror.status)) {
    throw new UserFacingError(
      `Mirror ${name} is ${mirror.status.replace("_", " ")}; a verification can run once the initial load has finished (running, paused or completed).`,
      "verification_unavailable",
      undefined,
      409,
    );
  }
  let tables = mirror.tables;
  if (request.tables) {
    const wanted = request.tables.map(parseQualifiedName);
    const unknown = wanted.filter((w) => !mirror.tables.some((t) => t.sourceSchema === w.schema && t.sourceTable === w.name));
    if (unknown.length) {
      throw new UserFacingError(`Mirror ${name} does not copy ${unknown.map(formatQualifiedName).join(", ")}.`, "invalid_input", {
        tables: `Not a table of this mirror: ${unknown.map(formatQualifiedName).join(", ")}`,
      });
    }
    tables = mirror.tables.filter((t) => wanted.some((w) => t.sourceSchema === w.schema && t.sourceTable === w.name));
  }
  // A table being added or resynced is copied on its own right now: comparing it would report its copy as differences.
  const syncing = tables.filter((t) => t.syncKind !== null);
  if (request.tables && syncing.length > 0) {
    const names = syncing.map((t) => formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable })).join(", ");
    throw new UserFacingError(`${names} ${syncing.length === 1 ? "is" : "are"} being added or resynced; verify once it replicates with the others.`, "verification_unavailable", undefined, 409);
  }
  tables = tables.filter((t) => t.syncKind === null);
  if (tables.length === 0) throw new UserFacingError(`Every table of ${name} is being added or resynced; verify once they replicate.`, "verification_unavailable", undefined, 409);
  const running = await catalog.verification.findFirst({ where: { mirrorId: mirror.id, status: "running" }, select: { id: true } });
  if (running) {
    throw new UserFacingError(`A verification of ${name} is already running (${running.id}); cancel it or wait for it to finish.`, "verification_running", undefined, 409);
  }
  const id = await startVerificationRun(catalog, mirror.id, tables);
  await recordMirrorEvent(catalog, mirror.id, "info", `Verification started for ${tables.length} ${tables.length === 1 ? "table" : "tables"}.`, { verification: id });
  return { id };
}

/** The mirror's runs, newest first. */
export async function listVerifications(catalog: PrismaClient, name: string, limit = 20): Promise<VerificationSummary[]> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true } });
  if (!mirror) throw notFound(name);
  const runs = await catalog.verification.findMany({
    where: { mirrorId: mirror.id },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(1, limit), 200),
    include: { tables: { omit: { examples: true } } },
  });
  return runs.map((run) => {
    const { tables: _tables, ...summary } = verificationView(run, run.tables.map((t) => ({ ...t, examples: [] })));
    return summary;
  });
}

export async function getVerification(catalog: PrismaClient, name: string, id: string): Promise<VerificationView> {
  const run = await findRun(catalog, name, id);
  return verificationView(run, run.tables);
}

/** Cancels a running run; 409 when it already finished. Answers with the run as it is now. */
export async function cancelVerification(catalog: PrismaClient, name: string, id: string): Promise<VerificationView> {
  const run = await findRun(catalog, name, id);
  if (run.status !== "running") {
    throw new UserFacingError(`Verification ${id} already finished (${run.status}); only a running one can be cancelled.`, "invalid_transition", undefined, 409);
  }
  await cancelVerificationRun(catalog, id);
  await recordMirrorEvent(catalog, run.mirrorId, "info", "Verification cancelled.", { verification: id });
  return getVerification(catalog, name, id);
}

async function findRun(catalog: PrismaClient, name: string, id: string) {
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true } });
  if (!mirror) throw notFound(name);
  const run = z.uuid().safeParse(id).success
    ? await catalog.verification.findFirst({ where: { id, mirrorId: mirror.id }, include: { tables: { orderBy: { position: "asc" } } } })
    : null;
  if (!run) throw new UserFacingError(`Mirror ${name} has no verification ${id}.`, "verification_not_found", undefined, 404);
  return run;
}

function verificationView(run: Verification, tables: VerificationTable[]): VerificationView {
  const ordered = [...tables].sort((a, b) => a.position - b.position);
  const views = ordered.map(tableView);
  const rowsCompared = views.reduce((sum, t) => sum + t.sourceRows, 0);
  const rowsExpected = ordered.reduce((sum, t) => sum + Math.max(Number(t.rowsEstimated), Number(t.sourceRows)), 0);
  const elapsed = (Date.now() - run.startedAt.getTime()) / 1000;
  const rate = elapsed > 0 ? rowsCompared / elapsed : 0;
  return {
    id: run.id,
    status: run.status as VerificationStatus,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
    progress: {
      tablesDone: views.filter((t) => FINISHED.includes(t.state)).length,
      tablesTotal: views.length,
      chunksDone: views.reduce((sum, t) => sum + t.chunksDone, 0),
      chunksTotal: views.reduce((sum, t) => sum + Math.max(t.chunksTotal, t.chunksDone), 0),
      rowsCompared,
      differences: views.reduce((sum, t) => sum + t.differences, 0),
      etaSeconds: run.status === "running" && rate > 0 ? Math.max(0, Math.round((rowsExpected - rowsCompared) / rate)) : null,
    },
    tables: views,
  };
}

function tableView(t: VerificationTable): VerificationTableView {
  const state = t.status as VerificationTableStatus;
  return {
    source: formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable }),
    target: formatQualifiedName({ schema: t.targetSchema, name: t.targetTable }),
    status: state === "equal" || state === "different" || state === "error" ? state : "pending",
    state,
    sourceRows: Number(t.sourceRows),
    targetRows: Number(t.targetRows),
    differences: Number(t.differences),
    examples: (t.examples ?? []) as VerificationTableView["examples"],
    chunksDone: t.chunksDone,
    chunksTotal: t.chunksTotal,
    error: t.error,
  };
}
