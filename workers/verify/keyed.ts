/**
 * Tables with a primary key: walk the source's key in chunks of at most `chunkRows` rows; compare
 * each chunk's summary (count + hash sum) computed on each server; drill into a differing chunk
 * down to rows. A range with more rows than a drill-down may hold (rows only on the target) is
 * split in two on the side that has them, so no step holds more than about a chunk per side.
 */
import { readSourceThenTarget } from "./reads";
import { addExamples, diffKeyed, keyedRows, keyObject, sameSummary, stillDifferent, type Summary } from "./diff";
import type { VerifyContext } from "./context";
import { type KeyBound, type KeyRange, keyAtOffsetSql, rangeRowsSql, rangeSummarySql } from "./sql";
import { queryArrays, queryRows } from "./session";

export async function verifyKeyed(ctx: VerifyContext): Promise<void> {
  const { table, chunkRows, result } = ctx;
  const estimatedChunks = Math.max(1, Math.ceil(table.estimatedRows / chunkRows));
  let lo: KeyBound | null = null;
  for (;;) {
    ctx.signal.throwIfAborted();
    const read = await readSourceThenTarget(
      ctx,
      async (source) => {
        // The chunk's bound comes from the same snapshot as its summary.
        const [bound] = await queryArrays(source, keyAtOffsetSql(table.source, table.key, { lo, hi: null }, chunkRows - 1));
        const range: KeyRange = { lo, hi: bound ? bound.map(String) : null };
        const [summary] = await queryRows<Summary>(source, rangeSummarySql(table.source, table.columns, table.key, range));
        return { range, summary };
      },
      async (target, { range }) => (await queryRows<Summary>(target, rangeSummarySql(table.target, table.columns, table.key, range)))[0],
    );
    const { range, summary } = read.source;
    result.sourceRows += Number(summary.n);
    result.targetRows += Number(read.target.n);
    if (!sameSummary(summary, read.target)) await resolve(ctx, range, summary, read.target);
    result.chunksDone++;
    result.chunksTotal = range.hi ? Math.max(estimatedChunks, result.chunksDone + 1) : result.chunksDone;
    ctx.report();
    if (!range.hi) return;
    lo = range.hi;
  }
}

/** A range whose summaries differ: split it while one side is too big to fetch, else drill down. */
async function resolve(ctx: VerifyContext, range: KeyRange, source: Summary, target: Summary): Promise<void> {
  const biggest = Math.max(Number(source.n), Number(target.n));
  if (biggest <= ctx.chunkRows) return drill(ctx, range);
  const { table } = ctx;
  const side = Number(source.n) >= Number(target.n) ? { client: ctx.source, name: table.source } : { client: ctx.target, name: table.target };
  const [mid] = await queryArrays(side.client, keyAtOffsetSql(side.name, table.key, range, Math.floor(biggest / 2) - 1));
  if (!mid) return drill(ctx, range);
  for (const half of [
    { lo: range.lo, hi: mid.map(String) },
    { lo: mid.map(String), hi: range.hi },
  ]) {
    ctx.signal.throwIfAborted();
    const read = await readSourceThenTarget(
      ctx,
      async (client) => (await queryRows<Summary>(client, rangeSummarySql(table.source, table.columns, table.key, half)))[0],
      async (client) => (await queryRows<Summary>(client, rangeSummarySql(table.target, table.columns, table.key, half)))[0],
    );
    if (!sameSummary(read.source, read.target)) await resolve(ctx, half, read.source, read.target);
  }
}

/** Compares a range row by row; on a live mirror only rows that differ in every read count. */
async function drill(ctx: VerifyContext, range: KeyRange): Promise<void> {
  const { table } = ctx;
  let differing: Map<string, "missing" | "extra" | "changed"> | null = null;
  for (let attempt = 0; attempt < ctx.attempts; attempt++) {
    ctx.signal.throwIfAborted();
    const read = await readSourceThenTarget(
      ctx,
      async (client) => keyedRows(await queryArrays(client, rangeRowsSql(table.source, table.columns, table.key, range)), table.key.length),
      async (client) => keyedRows(await queryArrays(client, rangeRowsSql(table.target, table.columns, table.key, range)), table.key.length),
    );
    differing = stillDifferent(differing, diffKeyed(read.source, read.target));
    if (differing.size === 0) return;
  }
  if (!differing) return;
  const found = [...differing].map(([key, kind]) => ({ kind, key: keyObject(table.key, key) }));
  ctx.result.differences += addExamples(ctx.result.examples, found, ctx.maxExamples);
}
