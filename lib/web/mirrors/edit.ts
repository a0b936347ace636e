import { z } from "zod";
import type { MirrorTable, Peer, Prisma, PrismaClient } from "@/lib/catalog/generated/client";
import { peerConnection } from "@/lib/catalog/peers";
import { connectPeer } from "@/lib/pg/connect";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { signalMirrorsChanged } from "@/lib/catalog/mirror-signal";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { MAX_TABLES_PER_MIRROR, mirrorTableSchema } from "@/lib/mirrors/input";
import { type MirrorSettings, mirrorSettingsSchema, storedSettings } from "@/lib/mirrors/settings";
import { type MirrorStatus, REMOVABLE_TABLE_STATUSES } from "@/lib/mirrors/status";
import { formatQualifiedName, parseQualifiedName, type TableMapping } from "@/lib/mirrors/table-mapping";
import { queueTableCopies } from "@/lib/catalog/table-copy-queue";
import { checkTablesToMirror, TABLE_CHECK_TIMEOUT_MS } from "./table-checks";
import { notFound } from "./views";

/**
 * PATCH /api/v1/mirrors/{name}: changes a mirror while it runs. Only what the worker can apply without
 * losing or repeating a change is accepted; everything else is a 409 that says why.
 *
 * - settings: the batch and copy settings below. The CDC session of a running mirror applies new batch
 *   settings within a second, without a restart (workers/mirrors/cdc-phase.ts); copy settings apply to
 *   the next copy (an added table, a resync).
 * - tables: the full new list, in the shape of the create request. Tables left out of it are removed
 *   (CDC mirrors that finished their load): status `removed`, counters kept as history; the owner takes
 *   them out of the publication before its next session and, with `dropTargetTables`, drops their
 *   target tables (workers/mirrors/table-removal.ts). Tables new in the list are checked as at creation
 *   and queued (sync kind `add`): the owner copies them from a new snapshot while the other tables keep
 *   streaming, then hands them over to the mirror's stream (workers/mirrors/table-sync/round.ts).
 * - name, source, target, mode and the replication settings cannot change.
 */

/** Settings that may change after creation; the rest (names, initial load, post-data, grants) are fixed. */
export const EDITABLE_SETTINGS = ["cdcBatchSize", "cdcMaxBatchLatencyMs", "parallelCopyWorkers", "tablesInParallel", "rowsPerPartition", "parallelIndexBuilds", "indexBuildMemoryMb"] as const;

export const mirrorEditSchema = z.object({
  /** Accepted only when unchanged, so a client may send back what it read. */
  name: z.string().optional(),
  source: z.string().optional(),
  target: z.string().optional(),
  mode: z.string().optional(),
  tables: z
    .array(mirrorTableSchema)
    .min(1, { error: "A mirror keeps at least one table; delete the mirror to stop replicating all of them." })
    .max(MAX_TABLES_PER_MIRROR)
    .optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  /** With tables: drop the target tables of the removed tables too. Default: false (they are kept). */
  dropTargetTables: z.boolean({ error: "dropTargetTables must be true or false." }).default(false),
});
export type MirrorEditInput = z.input<typeof mirrorEditSchema>;

/** Statuses in which a CDC mirror's table list may shrink: its load is over and no cutover runs. */
const TABLE_EDIT_STATUSES: MirrorStatus[] = ["running", "paused", "failed"];
/** Statuses in which settings may change: a cutover keeps the session it has; a deleted mirror has none. */
const SETTINGS_EDIT_STATUSES: MirrorStatus[] = ["setup", "initial_load", "running", "paused", "completed", "failed"];

export async function editMirror(catalog: PrismaClient, name: string, input: unknown): Promise<void> {
  const request = mirrorEditSchema.parse(input);
  // Added tables are checked on the peers first, outside the catalog transaction (that takes seconds).
  const before = await catalog.mirror.findUnique({ where: { name }, include: { source: true, target: true, tables: { orderBy: { position: "asc" } } } });
  if (!before) throw notFound(name);
  checkFixed(before, request);
  const adding = request.tables ? diffTables(before, request.tables).added : [];
  if (adding.length > 0) checkCanAdd(before);
  const estimates = adding.length > 0 ? await checkAddedTables(catalog, before, adding) : [];
  const changes = await catalog.$transaction(async (tx) => {
    // Two edits at once must not each write settings read before the other's.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id"::text AS id FROM "mirrors" WHERE "name" = ${name} FOR UPDATE`;
    if (locked.length === 0) throw notFound(name);
    const mirror = await tx.mirror.findUniqueOrThrow({
      where: { name },
      include: { source: true, target: true, tables: { orderBy: { position: "asc" } } },
    });
    checkFixed(mirror, request);
    const status = mirror.status as MirrorStatus;
    const current = storedSettings(mirror.settings);
    const settings = request.settings ? editedSettings(name, status, current, request.settings) : null;
    const diff = request.tables ? diffTables(mirror, request.tables) : { added: [], removed: [] };
    if (diff.removed.length > 0) checkCanRemove(mirror, status, diff.removed);
    if (diff.added.length > 0) checkCanAdd(mirror);
    if (diff.added.length !== adding.length) throw conflict(`The tables of mirror ${name} changed meanwhile; reload and try again.`);
    const removed = diff.removed;
    if (settings) await tx.mirror.update({ where: { id: mirror.id }, data: { settings: settings as unknown as Prisma.InputJsonValue } });
    const nextPosition = Math.max(-1, ...mirror.tables.map((t) => t.position)) + 1;
    for (const [i, { mapping }] of diff.added.entries()) {
      await tx.mirrorTable.create({
        data: {
          mirrorId: mirror.id,
          position: nextPosition + i,
          sourceSchema: mapping.source.schema,
          sourceTable: mapping.source.name,
          targetSchema: mapping.target.schema,
          targetTable: mapping.target.name,
          excludeColumns: mapping.excludeColumns,
          flatten: mapping.flatten ?? false,
          rowsEstimated: BigInt(Math.max(0, Math.round(estimates[i] ?? 0))),
          syncKind: "add",
          syncPhase: "queued",
        },
      });
    }
    if (diff.added.length > 0 && mirror.mode !== "cdc") await queueTableCopies(tx, mirror.id);
    if (removed.length > 0) {
      const { count } = await tx.mirrorTable.updateMany({
        where: { id: { in: removed.map((t) => t.id) }, status: { in: REMOVABLE_TABLE_STATUSES } },
        data: { status: "removed", removedAt: new Date(), dropTarget: request.dropTargetTables },
      });
      if (count !== removed.length) throw conflict(`A table of mirror ${name} is being copied; try again once its copy finished.`);
    }
    return { mirrorId: mirror.id, settings: settings ? changedKeys(current, settings) : [], removed, added: diff.added.map((a) => a.mapping) };
    // The row lock may wait for a progress write of the mirror's CDC session: a moment, not Prisma's default 5 s budget.
  }, { timeout: 15_000 });
  if (changes.settings.length === 0 && changes.removed.length === 0 && changes.added.length === 0) return;
  await signalMirrorsChanged(catalog);
  if (changes.settings.length > 0) await recordMirrorEvent(catalog, changes.mirrorId, "info", `Settings changed: ${changes.settings.join(", ")}.`);
  if (changes.removed.length > 0) {
    const names = changes.removed.map((t) => formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable })).join(", ");
    const kept = request.dropTargetTables ? "their target tables are dropped" : "their target tables are kept";
    await recordMirrorEvent(catalog, changes.mirrorId, "info", `Tables removed from the mirror: ${names}; their changes are no longer applied and ${kept}.`);
  }
  if (changes.added.length > 0) {
    const names = changes.added.map((m) => formatQualifiedName(m.source)).join(", ");
    await recordMirrorEvent(catalog, changes.mirrorId, "info", `Tables added to the mirror: ${names}; they are copied from a new snapshot while the other tables keep replicating.`);
  }
}

/**
 * Statuses in which tables may be added: a CDC mirror whose load is over, streaming or paused; an
 * initial-copy-only mirror once it completed (a copy-tables job copies them: lib/catalog/table-copy-queue.ts).
 */
const ADD_STATUSES: Record<string, MirrorStatus[]> = { cdc: ["running", "paused"], initial_load_only: ["completed"] };

function checkCanAdd(mirror: LoadedMirror): void {
  if (!(ADD_STATUSES[mirror.mode] ?? []).includes(mirror.status as MirrorStatus)) {
    throw conflict(
      mirror.mode === "cdc"
        ? `Mirror ${mirror.name} is ${mirror.status.replace("_", " ")}; tables can be added once its initial load finished and while no cutover runs.`
        : `Mirror ${mirror.name} is ${mirror.status.replace("_", " ")}; tables can be added once its copy completed.`,
    );
  }
}

/** The creation checks for the added tables (lib/web/mirrors/table-checks.ts); returns their estimated rows. */
async function checkAddedTables(catalog: PrismaClient, mirror: LoadedMirror & { source: Peer; target: Peer }, added: AddedTable[]): Promise<number[]> {
  const source = await connectPeer(peerConnection(mirror.source), `ui:mirror-edit:${mirror.name}`);
  const target = await connectPeer(peerConnection(mirror.target), `ui:mirror-edit:${mirror.name}`);
  try {
    await Promise.all([source, target].map((client) => client.query(`SET statement_timeout = '${TABLE_CHECK_TIMEOUT_MS}ms'`)));
    const description = await checkTablesToMirror(catalog, {
      source,
      target,
      targetPeerId: mirror.targetPeerId,
      mapping: added.map((a) => a.mapping),
      cdc: mirror.mode === "cdc",
      targetMustBeEmpty: true,
      fieldIndexes: added.map((a) => a.index),
    });
    return description.tables.map((t) => t.estimatedRows);
  } finally {
    await Promise.all([source.end().catch(() => {}), target.end().catch(() => {})]);
  }
}

type LoadedMirror = { name: string; mode: string; status: string; targetPeerId: string; source: { name: string }; target: { name: string }; tables: MirrorTable[] };

function checkFixed(mirror: LoadedMirror, request: z.output<typeof mirrorEditSchema>): void {
  const fixed: [string, string | undefined, string][] = [
    ["name", request.name, mirror.name],
    ["source", request.source, mirror.source.name],
    ["target", request.target, mirror.target.name],
    ["mode", request.mode, mirror.mode],
  ];
  for (const [field, wanted, actual] of fixed) {
    if (wanted !== undefined && wanted !== actual) {
      throw conflict(`The ${field} of a mirror cannot change (it is ${actual}): create a new mirror instead.`, { [field]: `Cannot change; it is ${actual}.` });
    }
  }
  if (mirror.status === "deleting") throw conflict(`Mirror ${mirror.name} is being deleted.`);
}

function editedSettings(name: string, status: MirrorStatus, current: MirrorSettings, raw: Record<string, unknown>): MirrorSettings {
  // Validated by the create schema (same bounds and messages); only the keys sent count, since parsing
  // fills in a default for every key left out.
  const parsed = mirrorSettingsSchema.partial().parse(raw);
  const next: MirrorSettings = { ...current };
  for (const key of Object.keys(raw)) {
    if (!(key in mirrorSettingsSchema.shape)) throw new UserFacingError(`Unknown setting ${key}.`, "invalid_settings", { [`settings.${key}`]: "Unknown setting." });
    const value = parsed[key as keyof typeof parsed];
    if ((EDITABLE_SETTINGS as readonly string[]).includes(key)) {
      (next as Record<string, unknown>)[key] = value;
    } else if (value !== current[key as keyof MirrorSettings]) {
      throw conflict(`The setting ${key} cannot change after the mirror was created.`, { [`settings.${key}`]: "Cannot change after creation." });
    }
  }
  if (changedKeys(current, next).length > 0 && !SETTINGS_EDIT_STATUSES.includes(status)) {
    throw conflict(`Mirror ${name} is ${status.replace("_", " ")}; its settings cannot change now.`);
  }
  return next;
}

function changedKeys(before: MirrorSettings, after: MirrorSettings): string[] {
  return EDITABLE_SETTINGS.filter((key) => before[key] !== after[key]).map((key) => `${key} ${before[key]} → ${after[key]}`);
}

type RequestedTable = z.output<typeof mirrorTableSchema>;

interface AddedTable {
  mapping: TableMapping;
  /** Its index in the request's list: where a refusal is shown. */
  index: number;
}

/** What the new list adds and leaves out; refuses changed mappings. */
function diffTables(mirror: LoadedMirror, wanted: RequestedTable[]): { added: AddedTable[]; removed: MirrorTable[] } {
  const active = mirror.tables.filter((t) => t.status !== "removed");
  const key = (schema: string, table: string) => JSON.stringify([schema, table]);
  const byKey = new Map(active.map((t) => [key(t.sourceSchema, t.sourceTable), t]));
  const kept = new Set<string>();
  const added: AddedTable[] = [];
  for (const [index, table] of wanted.entries()) {
    const source = parseQualifiedName(table.source);
    const target = parseQualifiedName(table.target ?? table.source);
    const existing = byKey.get(key(source.schema, source.name));
    if (!existing) {
      if (!added.some((a) => a.mapping.source.schema === source.schema && a.mapping.source.name === source.name)) {
        added.push({ mapping: { source, target, excludeColumns: table.excludeColumns, flatten: table.flatten }, index });
      }
      continue;
    }
    const sameMapping =
      existing.targetSchema === target.schema &&
      existing.targetTable === target.name &&
      existing.flatten === table.flatten &&
      [...existing.excludeColumns].sort().join("\u0000") === [...table.excludeColumns].sort().join("\u0000");
    if (!sameMapping) throw conflict(`The target, excluded columns or flattening of ${table.source} cannot change on an existing mirror.`, { tables: "Mappings cannot change." });
    kept.add(key(source.schema, source.name));
  }
  return { added, removed: active.filter((t) => !kept.has(key(t.sourceSchema, t.sourceTable))) };
}

function checkCanRemove(mirror: LoadedMirror, status: MirrorStatus, removed: MirrorTable[]): void {
  if (mirror.mode !== "cdc") throw conflict("Removing tables from an initial-copy-only mirror is not supported; its target tables are yours to drop.");
  if (!TABLE_EDIT_STATUSES.includes(status)) {
    throw conflict(`Mirror ${mirror.name} is ${status.replace("_", " ")}; tables can be removed once its initial load finished and while no cutover runs.`);
  }
  const syncing = removed.find((t) => t.syncKind !== null);
  if (syncing) {
    throw conflict(`${formatQualifiedName({ schema: syncing.sourceSchema, name: syncing.sourceTable })} is being added or resynced; remove it once that finished.`);
  }
}

function conflict(message: string, fields?: Record<string, string>): UserFacingError {
  return new UserFacingError(message, "invalid_edit", fields, 409);
}
