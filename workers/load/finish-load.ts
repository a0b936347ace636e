import type { TableLoadPlan } from "@/lib/mirrors/table-plan";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { quoteQualified } from "@/lib/pg/quote";
import { syncSequences } from "@/lib/pg/sequences";
import type pg from "pg";
import { openBuildSession, prepareBuildSession } from "@/workers/schema/build-session";
import { buildPostData, DEFAULT_PARALLEL_INDEX_BUILDS, type PostDataProgress, type PostDataResult } from "@/workers/schema/post-data";
import { ensurePrimaryKeys } from "./target-ddl";

/** What finishing a load does beyond the primary keys. */
export interface FinishLoadOptions {
  /** Build post-data (indexes, constraints, views, triggers, …) and sync sequences now. Default: false (CDC: at cutover). */
  postData?: { source: PeerConnection; mapping: TableMapping[]; parallel?: number; reproduceGrants?: boolean };
  /** Says which phase is running: "primary_keys", "post_data" (with progress), "sequences", "analyze". */
  onPhase?: (phase: "primary_keys" | "post_data" | "sequences" | "analyze", progress?: PostDataProgress) => void;
  signal?: AbortSignal;
  /** maintenance_work_mem of each build, in MB (the mirror setting indexBuildMemoryMb). Default: the setting's default. */
  buildMemoryMb?: number;
  /** Tables (quoteQualified target names) already analyzed after their own builds (early-builds.ts): not again. Default: none. */
  analyzed?: ReadonlySet<string>;
}

/**
 * Ends a load whose partitions are all copied: builds the primary keys that prepareLoad deferred,
 * then (if asked) the post-data objects and sequence positions, then ANALYZEs the tables so the
 * planner has statistics on day one. Idempotent. Throws PostgreSQL's error (e.g. 23505 if the target
 * somehow holds duplicate keys). Returns the post-data result (null when not built).
 */
export async function finishLoad(
  targetPeer: PeerConnection,
  plans: (Pick<TableLoadPlan, "target" | "primaryKey"> & { estimatedRows?: number })[],
  mirror: string,
  options: FinishLoadOptions = {},
): Promise<PostDataResult | null> {
  const target = await connectPeer(targetPeer, `finish:${mirror}`);
  try {
    await prepareBuildSession(target, { memoryMb: options.buildMemoryMb });
    options.onPhase?.("primary_keys");
    // Largest table first, on as many connections as post-data builds indexes with.
    const parallel = Math.max(1, options.postData?.parallel ?? DEFAULT_PARALLEL_INDEX_BUILDS);
    const bySize = [...plans].sort((a, b) => (b.estimatedRows ?? 0) - (a.estimatedRows ?? 0));
    const open = () => openBuildSession(targetPeer, `finish:${mirror}`, { memoryMb: options.buildMemoryMb });
    await onConnections(target, open, parallel, bySize, (client, plan) => ensurePrimaryKeys(client, [plan]));
    let result: PostDataResult | null = null;
    if (options.postData) {
      const { source: sourcePeer, mapping, parallel, reproduceGrants } = options.postData;
      const source = await connectPeer(sourcePeer, `post-data:${mirror}`);
      try {
        options.onPhase?.("post_data");
        result = await buildPostData(source, target, mapping, {
          parallel,
          reproduceGrants,
          buildMemoryMb: options.buildMemoryMb,
          openTarget: () => connectPeer(targetPeer, `post-data:${mirror}`),
          onProgress: (progress) => options.onPhase?.("post_data", progress),
          signal: options.signal,
        });
        options.onPhase?.("sequences");
        await syncSequences(source, target, mapping, { throwOnError: true });
      } finally {
        await source.end().catch(() => {});
      }
    }
    options.onPhase?.("analyze");
    const unanalyzed = bySize.filter((plan) => !options.analyzed?.has(quoteQualified(plan.target.schema, plan.target.name)));
    await onConnections(target, open, parallel, unanalyzed, (client, plan) => client.query(`ANALYZE ${quoteQualified(plan.target.schema, plan.target.name)}`));
    return result;
  } finally {
    await target.end().catch(() => {});
  }
}

/**
 * Runs `work` for each item, `parallel` at once: on `main` and on up to parallel - 1 more
 * connections opened for it (prepared by `open`, closed at the end). Stops at the first error.
 */
async function onConnections<T>(main: pg.Client, open: () => Promise<pg.Client>, parallel: number, items: T[], work: (client: pg.Client, item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const lanes = Math.min(parallel, queue.length);
  let failed = false;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const client = lane === 0 ? main : await open();
      try {
        for (let item = queue.shift(); item !== undefined && !failed; item = queue.shift()) {
          await work(client, item).catch((error: unknown) => {
            failed = true;
            throw error;
          });
        }
      } finally {
        if (lane > 0) await client.end().catch(() => {});
      }
    }),
  );
}
