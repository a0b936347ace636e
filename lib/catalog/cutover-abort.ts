import type { PrismaClient } from "./generated/client";

/**
 * Asks the runner to abort a cutover: only while it runs and has not reached the switch (the finish step
 * sets `switched_at` under the same condition, so exactly one of the two wins). Returns whether it applied.
 */
export async function requestCutoverAbort(catalog: PrismaClient, cutoverId: string): Promise<boolean> {
  const { count } = await catalog.cutover.updateMany({ where: { id: cutoverId, status: "running", switchedAt: null }, data: { status: "aborting" } });
  return count > 0;
}

/** Marks the switch: from now on the cutover cannot be aborted. False when an abort came first. */
export async function markCutoverSwitched(catalog: PrismaClient, cutoverId: string): Promise<boolean> {
  const { count } = await catalog.cutover.updateMany({ where: { id: cutoverId, status: "running" }, data: { switchedAt: new Date() } });
  if (count > 0) return true;
  const row = await catalog.cutover.findUnique({ where: { id: cutoverId }, select: { switchedAt: true } });
  return row?.switchedAt != null;
}
