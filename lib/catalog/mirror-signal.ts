import type { PrismaClient } from "./generated/client";

/**
 * Workers poll the catalog every few seconds; this channel wakes them at once when a mirror is
 * created or its status is changed, so a new mirror starts (and a pause or delete takes effect)
 * without waiting for the next poll.
 */
export const MIRRORS_CHANNEL = "pgferry_mirrors";

export async function signalMirrorsChanged(catalog: PrismaClient): Promise<void> {
  await catalog.$executeRaw`SELECT pg_notify(${MIRRORS_CHANNEL}, '')`;
}
