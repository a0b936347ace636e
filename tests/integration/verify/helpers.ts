import type { PrismaClient } from "@/lib/catalog/generated/client";
import { cancelVerification, getVerification, startVerification, type VerificationView } from "@/lib/web/mirrors/verify";
import { waitFor } from "@/tests/support/wait";

/** Starts a verification through lib (as the API does) and waits until a worker finished it. */
export async function verifyAndWait(catalog: PrismaClient, mirror: string, tables?: string[], timeoutMs = 360_000): Promise<VerificationView> {
  const { id } = await startVerification(catalog, mirror, tables ? { tables } : {});
  try {
    return await waitFor(
      async () => {
        const run = await getVerification(catalog, mirror, id);
        return run.status === "running" ? null : run;
      },
      timeoutMs,
      500,
    );
  } catch (error) {
    // Leave no run behind that would refuse the next test's run (one run per mirror at a time).
    const run = await getVerification(catalog, mirror, id);
    await cancelVerification(catalog, mirror, id).catch(() => {});
    throw new Error(`${(error as Error).message}; the run was at ${JSON.stringify(run.progress)} ${JSON.stringify(run.tables.map((t) => [t.source, t.state, t.chunksDone]))}`);
  }
}

/** Table name -> status, differences and examples, for compact assertions. */
export function outcome(run: VerificationView) {
  return Object.fromEntries(run.tables.map((t) => [t.source, { status: t.status, differences: t.differences, examples: t.examples, error: t.error }]));
}
