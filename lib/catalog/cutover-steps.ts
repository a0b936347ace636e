import type { CutoverStepName, CutoverStepStatus } from "./cutover-status";
import type { Prisma, PrismaClient } from "./generated/client";

/**
 * A cutover step's row: its state, output and the detail a restarted step resumes from. Written only by
 * the mirror's runner (workers/mirrors/cutover-phase.ts).
 */

export async function startCutoverStep(catalog: PrismaClient, cutoverId: string, name: CutoverStepName, output?: string): Promise<void> {
  // A step restarted after a worker restart keeps its first start time, so its duration stays true.
  await catalog.cutoverStep.updateMany({ where: { cutoverId, name, startedAt: null }, data: { startedAt: new Date() } });
  await catalog.cutoverStep.updateMany({ where: { cutoverId, name }, data: { status: "running", finishedAt: null, ...(output ? { output } : {}) } });
}

export async function updateCutoverStep(
  catalog: PrismaClient,
  cutoverId: string,
  name: CutoverStepName,
  data: { output?: string; detail?: unknown },
): Promise<void> {
  await catalog.cutoverStep.updateMany({
    where: { cutoverId, name },
    data: { ...(data.output !== undefined ? { output: data.output } : {}), ...(data.detail !== undefined ? { detail: data.detail as Prisma.InputJsonValue } : {}) },
  });
}

export async function finishCutoverStep(
  catalog: PrismaClient,
  cutoverId: string,
  name: CutoverStepName,
  status: Exclude<CutoverStepStatus, "pending" | "running">,
  output: string,
  detail?: unknown,
): Promise<void> {
  const now = new Date();
  await catalog.cutoverStep.updateMany({ where: { cutoverId, name, startedAt: null }, data: { startedAt: now } });
  await catalog.cutoverStep.updateMany({
    where: { cutoverId, name },
    data: { status, output, finishedAt: now, ...(detail !== undefined ? { detail: detail as Prisma.InputJsonValue } : {}) },
  });
}
