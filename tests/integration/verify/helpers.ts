import type { PrismaClient } from "@/lib/catalog/generated/client";
import { getVerification, startVerification, type VerificationView } from "@/lib/web/mirrors/verify";
import { waitFor } from "@/tests/support/wait";

/** Starts a verification through lib (as the API does) and waits until a worker finished it. */
export async function verifyAndWait(catalog: PrismaClient, mirror: string, tables?: string[], timeoutMs = 180_000): Promise<VerificationView> {
  const { id } = await startVerification(catalog, mirror, tables ? { tables } : {});
  return waitFor(
    async () => {
      const run = await getVerification(catalog, mirror, id);
      return run.status === "running" ? null : run;
    },
    timeoutMs,
    500,
  );
}

/** Table name -> status, differences and examples, for compact assertions. */
export function outcome(run: VerificationView) {
  return Object.fromEntries(run.tables.map((t) => [t.source, { status: t.status, differences: t.differences, examples: t.examples, error: t.error }]));
}
