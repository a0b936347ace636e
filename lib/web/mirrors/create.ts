import type { Prisma, PrismaClient } from "@/lib/catalog/generated/client";
import { signalMirrorsChanged } from "@/lib/catalog/mirror-signal";
import { peerConnection } from "@/lib/catalog/peers";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { connectPeer } from "@/lib/pg/connect";
import { findSlot } from "@/lib/pg/replication";
import { validatePeer } from "@/lib/web/peers/validate";
import { checkTablesToMirror, TABLE_CHECK_TIMEOUT_MS } from "./table-checks";
import { type MirrorCreate, mirrorCreateSchema } from "@/lib/mirrors/input";
import { type MirrorSettings, resolveSettings } from "@/lib/mirrors/settings";
import { INITIAL_MIRROR_STATUS } from "@/lib/mirrors/status";
import { parseQualifiedName, type TableMapping } from "@/lib/mirrors/table-mapping";

/**
 * Creates a mirror after checking everything that can be checked before anything is created:
 * the peers exist; the source allows the chosen mode (CDC needs wal_level=logical, REPLICATION,
 * a free slot and WAL sender); the tables exist and, for CDC, can publish updates and deletes;
 * target tables that already exist are compatible and empty; the slot and publication names are
 * free. Every refusal is a UserFacingError naming the field or table at fault. Nothing is created
 * on the peers here: the worker that claims the mirror does the setup.
 */
export async function createMirror(catalog: PrismaClient, input: unknown): Promise<{ name: string }> {
  const request = mirrorCreateSchema.parse(input);
  const settings = resolveSettings(request.name, request.settings);
  if (await catalog.mirror.findUnique({ where: { name: request.name } })) {
    throw new UserFacingError(`A mirror named ${request.name} already exists.`, "mirror_exists", { name: `A mirror named ${request.name} already exists.` }, 409);
  }
  const [sourcePeer, targetPeer] = await Promise.all([findPeer(catalog, request.source, "source"), findPeer(catalog, request.target, "target")]);
  const mapping = toMapping(request);
  if (!settings.initialLoad && request.mode !== "cdc") {
    throw new UserFacingError("Skipping the initial load needs continuous replication (mode cdc).", "invalid_settings", { "settings.initialLoad": "Only a CDC mirror can skip its initial load." });
  }
  await checkNamesFree(catalog, sourcePeer.id, settings);

  const source = peerConnection(sourcePeer);
  if (request.mode === "cdc") await checkCdcSource(source);
  // Both at once (each costs a round trip or three and a password hash); one that fails closes the other.
  const opened = await Promise.allSettled([source, peerConnection(targetPeer)].map((peer) => connectPeer(peer, `ui:mirror-check:${request.name}`)));
  const failure = opened.find((o) => o.status === "rejected");
  if (failure) {
    await Promise.all(opened.map((o) => (o.status === "fulfilled" ? o.value.end().catch(() => {}) : undefined)));
    throw failure.reason;
  }
  const [sourceClient, targetClient] = opened.map((o) => (o as PromiseFulfilledResult<Awaited<ReturnType<typeof connectPeer>>>).value);
  try {
    // The checks answer an HTTP request: a catalog query stuck behind a lock on a busy server must
    // end with an error the user sees, not hold the request (and the connections) open.
    await Promise.all([sourceClient, targetClient].map((client) => client.query(`SET statement_timeout = '${TABLE_CHECK_TIMEOUT_MS}ms'`)));
    const description = await checkTablesToMirror(catalog, {
      source: sourceClient,
      target: targetClient,
      targetPeerId: targetPeer.id,
      mapping,
      cdc: request.mode === "cdc",
      // Without initial load the target tables hold the rows already: they need not be empty.
      targetMustBeEmpty: settings.initialLoad,
    });
    await checkSlotFree(sourceClient, settings);
    await catalog.mirror.create({
      data: {
        name: request.name,
        sourcePeerId: sourcePeer.id,
        targetPeerId: targetPeer.id,
        mode: request.mode,
        status: INITIAL_MIRROR_STATUS,
        settings: settings as unknown as Prisma.InputJsonValue,
        publicationName: settings.publicationName,
        slotName: settings.slotName,
        tables: {
          create: mapping.map((m, position) => ({
            position,
            sourceSchema: m.source.schema,
            sourceTable: m.source.name,
            targetSchema: m.target.schema,
            targetTable: m.target.name,
            excludeColumns: m.excludeColumns,
            flatten: m.flatten ?? false,
            rowsEstimated: BigInt(Math.max(0, Math.round(description.tables[position]?.estimatedRows ?? 0))),
          })),
        },
      },
    });
    await signalMirrorsChanged(catalog);
    return { name: request.name };
  } finally {
    await Promise.all([sourceClient.end().catch(() => {}), targetClient.end().catch(() => {})]);
  }
}

function toMapping(request: MirrorCreate): TableMapping[] {
  return request.tables.map((t) => ({
    source: parseQualifiedName(t.source),
    target: parseQualifiedName(t.target ?? t.source),
    excludeColumns: t.excludeColumns,
    flatten: t.flatten,
  }));
}

async function findPeer(catalog: PrismaClient, name: string, field: "source" | "target") {
  const peer = await catalog.peer.findUnique({ where: { name } });
  if (!peer) throw new UserFacingError(`There is no peer named ${name}.`, "peer_not_found", { [field]: `There is no peer named ${name}.` });
  return peer;
}

async function checkNamesFree(catalog: PrismaClient, sourcePeerId: string, settings: MirrorSettings): Promise<void> {
  const clash = await catalog.mirror.findFirst({
    where: { sourcePeerId, OR: [{ slotName: settings.slotName }, { publicationName: settings.publicationName }] },
  });
  if (clash) {
    const message = `Mirror ${clash.name} already uses slot ${clash.slotName} / publication ${clash.publicationName} on this source. Choose other names.`;
    throw new UserFacingError(message, "replication_names_taken", { "settings.slotName": message });
  }
}

async function checkCdcSource(source: ReturnType<typeof peerConnection>): Promise<void> {
  const validation = await validatePeer(source);
  const blocking = validation.checks.filter((c) => c.status !== "pass");
  if (!validation.ok || blocking.length > 0) {
    const reasons = blocking.map((c) => `${c.label}: ${c.message}${c.fix ? ` ${c.fix}` : ""}`).join(" ");
    const message = `The source cannot be used for continuous replication. ${reasons || validation.error?.message || ""}`.trim();
    throw new UserFacingError(message, "source_not_ready", { source: message });
  }
}

async function checkSlotFree(client: Awaited<ReturnType<typeof connectPeer>>, settings: MirrorSettings): Promise<void> {
  if (await findSlot(client, settings.slotName)) {
    const message = `A replication slot named ${settings.slotName} already exists on the source. Drop it (SELECT pg_drop_replication_slot('${settings.slotName}')) or choose another slot name.`;
    throw new UserFacingError(message, "slot_exists", { "settings.slotName": message });
  }
}
