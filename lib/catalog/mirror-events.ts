import type { PrismaClient } from "./generated/client";

export type EventLevel = "info" | "warn" | "error";

/** Adds an entry to a mirror's Logs tab. Never pass secrets in message or detail. */
export async function recordMirrorEvent(
  catalog: PrismaClient,
  mirrorId: string,
  level: EventLevel,
  message: string,
  detail?: Record<string, unknown>,
): Promise<void> {
  await catalog.mirrorEvent.create({
    data: { mirrorId, level, message, detail: detail === undefined ? undefined : JSON.parse(JSON.stringify(detail)) },
  });
}
