import type pg from "pg";
import { SETTINGS_DEFAULTS } from "@/lib/mirrors/settings";
import { connectPrepared } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";

export interface BuildSessionOptions {
  /** maintenance_work_mem in MB (the mirror setting indexBuildMemoryMb). Default: SETTINGS_DEFAULTS.indexBuildMemoryMb. */
  memoryMb?: number;
  /**
   * search_path = pg_catalog: post-data definitions are fully qualified, and a build must not resolve
   * a name through a schema the target's users can create objects in. Default: false.
   */
  catalogSearchPath?: boolean;
}

/**
 * Prepares a target connection that builds keys, indexes and constraints: no statement timeout (a build
 * on a large table outlasts any sensible one) and the mirror's index build memory, since PostgreSQL's
 * default maintenance_work_mem sorts a large key on disk.
 */
export async function prepareBuildSession(client: pg.Client, options: BuildSessionOptions = {}): Promise<void> {
  const memoryMb = Math.trunc(options.memoryMb ?? SETTINGS_DEFAULTS.indexBuildMemoryMb);
  if (!Number.isSafeInteger(memoryMb) || memoryMb < 1) throw new Error(`invalid index build memory: ${options.memoryMb}`);
  await client.query(
    `SET statement_timeout = 0; SET maintenance_work_mem = '${memoryMb}MB'${options.catalogSearchPath ? "; SET search_path = pg_catalog" : ""}`,
  );
}

/** A new target session for `purpose`, prepared by prepareBuildSession (closed again if that fails). */
export function openBuildSession(peer: PeerConnection, purpose: string, options: BuildSessionOptions = {}): Promise<pg.Client> {
  return connectPrepared(peer, purpose, (client) => prepareBuildSession(client, options));
}
