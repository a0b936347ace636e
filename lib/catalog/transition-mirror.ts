import { assertMirrorTransition, type MirrorStatus } from "@/lib/mirrors/status";
import type { Prisma, PrismaClient } from "./generated/client";

/** Which mirror: by ID (workers) or by name (web app); a load generation makes the change apply only to that load. */
export type MirrorSelector = { id: string; loadGeneration?: number } | { name: string };

/**
 * The one way a mirror's status changes (lib/mirrors/status.ts lists the transitions).
 *
 * Compare-and-set: the mirror moves only if it is still in one of `from`, so a change made meanwhile
 * by the web app or another worker wins (e.g. a delete requested while a load finishes). Returns
 * whether it moved. Throws InvalidTransitionError, before touching the catalog, when a `from` → `to`
 * pair is not an allowed transition. `data` is written with the status, in the same statement.
 * Works inside a transaction (pass the transaction client).
 */
export async function transitionMirror(
  catalog: PrismaClient | Prisma.TransactionClient,
  mirror: MirrorSelector,
  from: MirrorStatus | readonly MirrorStatus[],
  to: MirrorStatus,
  data: Omit<Prisma.MirrorUpdateManyMutationInput, "status"> = {},
): Promise<boolean> {
  const sources: readonly MirrorStatus[] = typeof from === "string" ? [from] : from;
  for (const source of sources) assertMirrorTransition(source, to);
  const where: Prisma.MirrorWhereInput = "name" in mirror ? { name: mirror.name } : { id: mirror.id, loadGeneration: mirror.loadGeneration };
  const { count } = await catalog.mirror.updateMany({ where: { ...where, status: { in: [...sources] } }, data: { ...data, status: to } });
  return count > 0;
}
