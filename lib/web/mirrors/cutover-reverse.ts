import { z } from "zod";
import type { Prisma, PrismaClient } from "@/lib/catalog/generated/client";
import type { ReverseRecord } from "@/lib/catalog/cutover-status";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { signalMirrorsChanged } from "@/lib/catalog/mirror-signal";
import { loadPeerConnection } from "@/lib/catalog/peers";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { MIRROR_NAME_PATTERN } from "@/lib/mirrors/input";
import { resolveSettings } from "@/lib/mirrors/settings";
import { INITIAL_MIRROR_STATUS } from "@/lib/mirrors/status";
import { connectPeer } from "@/lib/pg/connect";
import { findSlot } from "@/lib/pg/replication";
import { notFound } from "./views";
import { CURRENT_TABLES } from "@/lib/catalog/current-tables";

/**
 * `POST /api/v1/mirrors/{name}/cutover/reverse`: the way back after a cutover done with `reverse: true`.
 * Creates a CDC mirror from the target to the source without initial load, starting at the slot the
 * finish step created on the target at the switch (workers/cutover/reverse.ts), so every change the
 * application made on the target reaches the source once and nothing from before the switch comes back.
 * Only records the mirror; its runner starts replication (workers/mirrors/cdc-start.ts).
 */

export const reverseMirrorSchema = z
  .object({
    /** The reverse mirror's name. Default: `<mirror>_back` (cut to 55 characters). */
    name: z
      .string()
      .regex(MIRROR_NAME_PATTERN, { error: "Use only lowercase letters, digits and underscores, starting with a letter or underscore, at most 55 characters." })
      .optional(),
  })
  .strict();

export async function createReverseMirror(catalog: PrismaClient, name: string, input: unknown): Promise<{ name: string; startLsn: string }> {
  const request = reverseMirrorSchema.parse(input ?? {});
  // Removed tables (lib/web/mirrors/edit.ts) are history: no longer mirrored, so left out.
  const mirror = await catalog.mirror.findUnique({ where: { name }, include: CURRENT_TABLES });
  if (!mirror) throw notFound(name);
  const cutover = await catalog.cutover.findFirst({
    where: { mirrorId: mirror.id },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    include: { steps: { where: { name: "finish" } } },
  });
  if (!cutover || cutover.status !== "done") {
    throw new UserFacingError(`Mirror ${name} has no finished cutover; the way back is offered once the cutover is done.`, "reverse_unavailable", undefined, 409);
  }
  const finish = cutover.steps[0];
  const reverse = (finish?.detail as { reverse?: ReverseRecord } | null)?.reverse;
  if (!reverse?.lsn) {
    const why = reverse?.error ? `the finish step could not prepare it: ${reverse.error}` : "the cutover was started without a way back (option reverse)";
    throw new UserFacingError(
      `No way back for ${name}: ${why}. Create a CDC mirror from the target to the source by hand; it needs an initial copy of the tables.`,
      "reverse_unavailable",
      undefined,
      409,
    );
  }
  if (reverse.mirror && (await catalog.mirror.findUnique({ where: { name: reverse.mirror }, select: { id: true } }))) {
    throw new UserFacingError(`The reverse mirror of ${name} already exists: ${reverse.mirror}.`, "reverse_exists", undefined, 409);
  }
  const reverseName = request.name ?? `${name}_back`.slice(0, 55);
  if (await catalog.mirror.findUnique({ where: { name: reverseName }, select: { id: true } })) {
    throw new UserFacingError(`A mirror named ${reverseName} already exists; choose another name.`, "mirror_exists", { name: `A mirror named ${reverseName} already exists.` }, 409);
  }
  await checkSlotKept(catalog, mirror.targetPeerId, reverse);

  const previous = mirror.settings as Record<string, unknown>;
  const settings = resolveSettings(reverseName, { ...previous, initialLoad: false, slotName: reverse.slotName, publicationName: reverse.publicationName });
  await catalog.$transaction(async (tx) => {
    await tx.mirror.create({
      data: {
        name: reverseName,
        sourcePeerId: mirror.targetPeerId,
        targetPeerId: mirror.sourcePeerId,
        mode: "cdc",
        status: INITIAL_MIRROR_STATUS,
        settings: settings as unknown as Prisma.InputJsonValue,
        publicationName: settings.publicationName,
        slotName: settings.slotName,
        consistentPoint: reverse.lsn,
        tables: {
          create: mirror.tables.map((t, position) => ({
            position,
            sourceSchema: t.targetSchema,
            sourceTable: t.targetTable,
            targetSchema: t.sourceSchema,
            targetTable: t.sourceTable,
            // Columns left out going forward do not exist on the target; the source keeps its own values (or defaults) for them.
            excludeColumns: [],
            // Nothing to load: the tables already hold the rows.
            status: "done",
          })),
        },
      },
    });
    await tx.cutoverStep.update({ where: { id: finish.id }, data: { detail: { reverse: { ...reverse, mirror: reverseName } } as unknown as Prisma.InputJsonValue } });
  });
  await signalMirrorsChanged(catalog);
  await recordMirrorEvent(catalog, mirror.id, "info", `Way back: reverse mirror ${reverseName} created (target → source from ${reverse.lsn}).`);
  const created = await catalog.mirror.findUniqueOrThrow({ where: { name: reverseName }, select: { id: true } });
  await recordMirrorEvent(catalog, created.id, "info", `Reverse mirror of ${name}: replays the target's changes since the cutover's switch (${reverse.lsn}) into the source, without initial load.`);
  return { name: reverseName, startLsn: reverse.lsn };
}

/** 409 when the slot prepared at the switch is gone (dropped by hand): starting elsewhere would lose or repeat changes. */
async function checkSlotKept(catalog: PrismaClient, targetPeerId: string, reverse: ReverseRecord): Promise<void> {
  const client = await connectPeer(await loadPeerConnection(catalog, targetPeerId), "ui:reverse-check");
  try {
    const slot = await findSlot(client, reverse.slotName);
    if (!slot || slot.confirmedFlushLsn === null) {
      throw new UserFacingError(
        `The slot ${reverse.slotName} prepared on the target at the switch is gone, so the target's changes since then cannot be replayed exactly. Create a CDC mirror from the target to the source by hand (with an initial copy).`,
        "reverse_slot_gone",
        undefined,
        409,
      );
    }
  } finally {
    await client.end().catch(() => {});
  }
}
