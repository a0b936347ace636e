/**
 * Tables without a primary key: compared as multisets of row hashes. Rows are grouped into buckets
 * by a hash prefix; each server sums each bucket (one scan), and only differing buckets are fetched
 * as (hash, count) pairs, a batch of buckets at a time so that a batch holds about a chunk of rows.
 */
import type pg from "pg";
import type { VerifyContext } from "./context";
import { addExamples, bucketPrefixLength, diffMultiset, differingBuckets, groups, hashCounts, stillDifferent, type Summary } from "./diff";
import { readSourceThenTarget } from "./reads";
import { inSnapshot, queryArrays, queryRows } from "./session";
import { bucketRowsSql, bucketSummarySql, rowsByHashSql } from "./sql";
import type { DifferenceExample } from "./types";

export async function verifyMultiset(ctx: VerifyContext): Promise<void> {
  const { table, result } = ctx;
  const prefix = bucketPrefixLength(table.estimatedRows, ctx.chunkRows);
  const summaries = async (client: pg.Client, name: typeof table.source) =>
    new Map((await queryRows<Summary & { b: string }>(client, bucketSummarySql(name, table.columns, prefix))).map((r) => [r.b, r]));
  const read = await readSourceThenTarget(
    ctx,
    (client) => summaries(client, table.source),
    (client) => summaries(client, table.target),
  );
  const total = (m: Map<string, Summary>) => [...m.values()].reduce((sum, r) => sum + Number(r.n), 0);
  result.sourceRows = total(read.source);
  result.targetRows = total(read.target);
  const rowsPerBucket = Math.max(1, Math.max(result.sourceRows, result.targetRows) / 16 ** prefix);
  const batches = groups(differingBuckets(read.source, read.target), Math.floor(ctx.chunkRows / rowsPerBucket));
  result.chunksDone = 1;
  result.chunksTotal = 1 + batches.length;
  ctx.report();

  for (const buckets of batches) {
    let deltas: Map<string, number> | null = null;
    for (let attempt = 0; attempt < ctx.attempts; attempt++) {
      ctx.signal.throwIfAborted();
      const counts = await readSourceThenTarget(
        ctx,
        async (client) => hashCounts(await queryArrays(client, bucketRowsSql(table.source, table.columns, prefix, buckets))),
        async (client) => hashCounts(await queryArrays(client, bucketRowsSql(table.target, table.columns, prefix, buckets))),
      );
      deltas = stillDifferent(deltas, diffMultiset(counts.source, counts.target));
      if (deltas.size === 0) break;
    }
    if (deltas && deltas.size > 0) await record(ctx, deltas);
    result.chunksDone++;
    ctx.report();
  }
}

/** Counts every surplus or missing copy of a row; shows each differing row once, with all its columns. */
async function record(ctx: VerifyContext, deltas: Map<string, number>): Promise<void> {
  const { table, result } = ctx;
  const room = ctx.maxExamples - result.examples.length;
  const shown = [...deltas.keys()].slice(0, Math.max(0, room));
  const examples: DifferenceExample[] = [];
  for (const [client, name, kind] of [
    [ctx.source, table.source, "missing"],
    [ctx.target, table.target, "extra"],
  ] as const) {
    const hashes = shown.filter((h) => (kind === "missing" ? deltas.get(h)! > 0 : deltas.get(h)! < 0));
    if (hashes.length === 0) continue;
    const rows = await inSnapshot(client, () => queryArrays(client, rowsByHashSql(name, table.columns, hashes)));
    for (const row of rows) {
      examples.push({ kind, key: Object.fromEntries(table.columns.map((c, i) => [c, row[i + 1] as string | null])) });
    }
  }
  addExamples(result.examples, examples, ctx.maxExamples);
  for (const delta of deltas.values()) result.differences += Math.abs(delta);
}
