import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { Logger } from "@/lib/log/logger";
import { warmUpCopyLedger } from "@/workers/jobs/copy-partition";
import { PARTITION_SUMMARY, TABLE_ROLLUP } from "@/workers/mirrors/load-monitor";
import { CURRENT_TABLES } from "@/lib/catalog/current-tables";

/** An ID no catalog row has: the warm-up reads and writes nothing. */
const NONE = "00000000-0000-4000-8000-000000000000";

/**
 * Readies a starting worker before it says it is online: Prisma compiles each query shape the first
 * time it runs (a copy job's first claim took 124–133 ms here, later ones ~14 ms), so the statements
 * of an initial load — the runner's reads, the load's bookkeeping, the copy job's ledger — run once
 * against no row. Without it a user's first mirror after a start paid ~1 s more than the next one.
 * Best effort: a statement that fails here fails again, and is reported, where it is really used.
 */
export async function warmUpWorker(catalog: PrismaClient, workerId: string, logger: Logger): Promise<void> {
  const started = Date.now();
  const statements: (() => Promise<unknown>)[] = [
    // The runner reads its mirror each step (workers/mirrors/runner.ts) and claims leases.
    () => catalog.mirror.findUnique({ where: { id: NONE }, include: CURRENT_TABLES }),
    () => catalog.peer.findUnique({ where: { id: NONE } }),
    () => catalog.mirror.updateMany({ where: { id: NONE, status: { in: ["setup"] } }, data: { status: "setup" } }),
    () => catalog.mirror.update({ where: { id: NONE }, data: { phase: null, phaseDetail: null } }),
    // Load setup and monitoring (workers/mirrors/load-setup.ts, load-monitor.ts).
    () => catalog.partition.deleteMany({ where: { mirrorId: NONE } }),
    () => catalog.partition.createMany({ data: [] }),
    () => catalog.partition.findMany({ where: { mirrorId: NONE, generation: 0 }, select: PARTITION_SUMMARY }),
    () => catalog.mirrorTable.findMany({ where: { id: { in: [NONE] } }, select: TABLE_ROLLUP }),
    () => catalog.mirrorTable.update({ where: { id: NONE }, data: { status: "pending", loadStartedAt: null, loadFinishedAt: null } }),
    () => catalog.mirrorTable.updateMany({ where: { mirrorId: NONE }, data: { syncKind: null, syncPhase: null } }),
    () => warmUpCopyLedger(catalog, workerId),
  ];
  let failed = 0;
  for (const statement of statements) {
    // Writes of a row that does not exist end in "record not found" once their plan is compiled.
    await statement().catch(() => failed++);
  }
  logger.debug("warm-up done", { ms: Date.now() - started, expectedFailures: failed });
}
