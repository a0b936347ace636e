import { CUTOVER_STEP_LABELS, type CutoverOptions, type CutoverStatus, type CutoverStepName, type CutoverStepStatus, type FenceRecord } from "./cutover-status";
import type { PrismaClient } from "./generated/client";

/** A cutover as the API (`GET /api/v1/mirrors/{name}` → `cutover`) and the Cutover tab show it. */
export interface CutoverView {
  id: string;
  status: CutoverStatus;
  options: CutoverOptions;
  steps: CutoverStepView[];
  fencedAt: string | null;
  fenceLsn: string | null;
  fence: FenceRecord | null;
  switchedAt: string | null;
  startedAt: string;
  finishedAt: string | null;
  verificationId: string | null;
  error: string | null;
  /** Whether DELETE …/cutover can still stop it. */
  abortable: boolean;
}

export interface CutoverStepView {
  name: CutoverStepName;
  label: string;
  status: CutoverStepStatus;
  output: string | null;
  detail: unknown;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The mirror's latest cutover, or null when it never had one. */
export async function latestCutoverView(catalog: PrismaClient, mirrorId: string): Promise<CutoverView | null> {
  const c = await catalog.cutover.findFirst({
    where: { mirrorId },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    include: { steps: { orderBy: { position: "asc" } } },
  });
  if (!c) return null;
  const now = Date.now();
  return {
    id: c.id,
    status: c.status as CutoverStatus,
    options: c.options as unknown as CutoverOptions,
    steps: c.steps.map((s) => ({
      name: s.name as CutoverStepName,
      label: CUTOVER_STEP_LABELS[s.name as CutoverStepName] ?? s.name,
      status: s.status as CutoverStepStatus,
      output: s.output,
      detail: s.detail ?? null,
      startedAt: iso(s.startedAt),
      finishedAt: iso(s.finishedAt),
      durationMs: s.startedAt ? (s.finishedAt?.getTime() ?? now) - s.startedAt.getTime() : null,
    })),
    fencedAt: iso(c.fencedAt),
    fenceLsn: c.fenceLsn,
    fence: (c.fence as unknown as FenceRecord | null) ?? null,
    switchedAt: iso(c.switchedAt),
    startedAt: c.startedAt.toISOString(),
    finishedAt: iso(c.finishedAt),
    verificationId: c.verificationId,
    error: c.error,
    abortable: c.status === "running" && c.switchedAt === null,
  };
}
