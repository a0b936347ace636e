import { CUTOVER_STEPS, type CutoverOptions } from "./cutover-status";
import type { Prisma, PrismaClient } from "./generated/client";
import { transitionMirror } from "./transition-mirror";

/**
 * Moves a running mirror to `cutover` and creates the cutover with its pending steps, atomically: a
 * mirror is in `cutover` exactly when it has a running (or aborting) cutover. Returns the cutover's id,
 * or null when the mirror was no longer `running` (paused, deleted or cut over meanwhile).
 */
export async function startCutoverRun(catalog: PrismaClient, mirrorId: string, options: CutoverOptions): Promise<string | null> {
  return catalog.$transaction(async (tx) => {
    if (!(await transitionMirror(tx, { id: mirrorId }, "running", "cutover", { errorMessage: null }))) return null;
    const cutover = await tx.cutover.create({
      data: {
        mirrorId,
        options: options as unknown as Prisma.InputJsonValue,
        steps: { create: CUTOVER_STEPS.map((name, position) => ({ name, position })) },
      },
    });
    return cutover.id;
  });
}
