import type pg from "pg";
import type { TableMapping } from "@/lib/mirrors/table-mapping";

/** Progress of a post-data build: objects done out of the total, and the index being built now. */
export interface PostDataProgress {
  total: number;
  done: number;
  current?: { name: string; percent: number | null };
}

export interface PostDataOptions {
  /** Indexes built at the same time, each on its own target connection. Default: 2. */
  parallel?: number;
  onProgress?: (p: PostDataProgress) => void;
  signal?: AbortSignal;
}

/**
 * Builds on the target the post-data objects of the mapped source tables (indexes, constraints,
 * foreign keys, views, functions, triggers, comments). Stub: builds nothing yet.
 */
export async function buildPostData(
  source: pg.Client,
  target: pg.Client,
  mapping: TableMapping[],
  options: PostDataOptions,
): Promise<{ built: string[]; skipped: { object: string; reason: string }[] }> {
  void source;
  void target;
  void mapping;
  void options;
  return { built: [], skipped: [] };
}
