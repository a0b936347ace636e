import type pg from "pg";
import { sourcePosition, waitForApplied } from "./applied-position";
import type { VerifyContext } from "./context";
import { inSnapshot } from "./session";

/**
 * Reads the source in one snapshot, then the target. On a live mirror the source position is taken
 * in the source's snapshot and the target is read only once it has applied past that position, so
 * whatever the source read saw is on the target too (anything newer may be as well: callers re-read
 * what still differs).
 */
export async function readSourceThenTarget<S, T>(
  ctx: VerifyContext,
  readSource: (client: pg.Client) => Promise<S>,
  readTarget: (client: pg.Client, source: S) => Promise<T>,
): Promise<{ source: S; target: T }> {
  const { source, position } = await inSnapshot(ctx.source, async () => {
    const value = await readSource(ctx.source);
    return { source: value, position: ctx.liveMirror ? await sourcePosition(ctx.source) : null };
  });
  if (ctx.liveMirror && position) await waitForApplied(ctx.target, ctx.liveMirror, position, ctx.signal, ctx.catchUpTimeoutMs);
  const target = await inSnapshot(ctx.target, () => readTarget(ctx.target, source));
  return { source, target };
}
