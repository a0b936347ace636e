import { z } from "zod";
import type { MirrorTable, Prisma, PrismaClient } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import { signalMirrorsChanged } from "@/lib/catalog/mirror-signal";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { MAX_TABLES_PER_MIRROR, mirrorTableSchema } from "@/lib/mirrors/input";
import { type MirrorSettings, mirrorSettingsSchema } from "@/lib/mirrors/settings";
import { type MirrorStatus, REMOVABLE_TABLE_STATUSES } from "@/lib/mirrors/status";
import { formatQualifiedName, parseQualifiedName } from "@/lib/mirrors/table-mapping";
import { notFound } from "./views";

/**
 * PATCH /api/v1/mirrors/{name}: changes a mirror while it runs. Only what the worker can apply without
 * losing or repeating a change is accepted; everything else is a 409 that says why.
 *
 * - settings: the batch and copy settings below. The CDC session of a running mirror notices the change
 *   within a second and continues from the position stored on the target with the new values
 *   (workers/mirrors/cdc-phase.ts); copy settings apply to the next initial load (a resync).
 * - tables: the full new list, in the shape of the create request. Tables left out of it are removed
 *   (CDC mirrors that finished their load): status `removed`, counters kept as history; the owner takes
 *   them out of the publication before its next session and, with `dropTargetTables`, drops their
 *   target tables (workers/mirrors/table-removal.ts). Adding tables is not supported yet.
 * - name, source, target, mode and the replication settings cannot change.
 */

/** Settings that may change after creation; the rest (names, initial load, post-data, grants) are fixed. */
export const EDITABLE_SETTINGS = ["cdcBatchSize", "cdcMaxBatchLatencyMs", "parallelCopyWorkers", "tablesInParallel", "rowsPerPartition", "parallelIndexBuilds"] as const;

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
    const current = mirror.settings as unknown as MirrorSettings;
    const settings = request.settings ? editedSettings(name, status, current, request.settings) : null;
    const removed = request.tables ? tablesToRemove(mirror, status, request.tables) : [];
    if (settings) await tx.mirror.update({ where: { id: mirror.id }, data: { settings: settings as unknown as Prisma.InputJsonValue } });
    if (removed.length > 0) {
      const { count } = await tx.mirrorTable.updateMany({
        where: { id: { in: removed.map((t) => t.id) }, status: { in: REMOVABLE_TABLE_STATUSES } },
        data: { status: "removed", removedAt: new Date(), dropTarget: request.dropTargetTables },
      });
      if (count !== removed.length) throw conflict(`A table of mirror ${name} is being copied; try again once its copy finished.`);
    }
    return { mirrorId: mirror.id, settings: settings ? changedKeys(current, settings) : [], removed };
    // The row lock may wait for a progress write of the mirror's CDC session: a moment, not Prisma's default 5 s budget.
  }, { timeout: 15_000 });
  if (changes.settings.length === 0 && changes.removed.length === 0) return;
  await signalMirrorsChanged(catalog);
  if (changes.settings.length > 0) await recordMirrorEvent(catalog, changes.mirrorId, "info", `Settings changed: ${changes.settings.join(", ")}.`);
  if (changes.removed.length > 0) {
    const names = changes.removed.map((t) => formatQualifiedName({ schema: t.sourceSchema, name: t.sourceTable })).join(", ");
    const kept = request.dropTargetTables ? "their target tables are dropped" : "their target tables are kept";
    await recordMirrorEvent(catalog, changes.mirrorId, "info", `Tables removed from the mirror: ${names}; their changes are no longer applied and ${kept}.`);
  }
}

type LoadedMirror = { name: string; mode: string; status: string; source: { name: string }; target: { name: string }; tables: MirrorTable[] };

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

/** The mirror's tables the new list leaves out; refuses additions and changed mappings. */
function tablesToRemove(mirror: LoadedMirror, status: MirrorStatus, wanted: RequestedTable[]): MirrorTable[] {
  const active = mirror.tables.filter((t) => t.status !== "removed");
  const key = (schema: string, table: string) => JSON.stringify([schema, table]);
  const byKey = new Map(active.map((t) => [key(t.sourceSchema, t.sourceTable), t]));
  const kept = new Set<string>();
  for (const table of wanted) {
    const source = parseQualifiedName(table.source);
    const existing = byKey.get(key(source.schema, source.name));
    if (!existing) {
      throw conflict(
        mirror.mode === "cdc"
          ? `Adding tables to a running mirror is not supported yet (${table.source}).`
          : `Adding tables to an initial-copy-only mirror is not supported yet (${table.source}).`,
        { tables: "Adding tables is not supported yet." },
      );
    }
    const target = parseQualifiedName(table.target ?? table.source);
    const sameMapping =
      existing.targetSchema === target.schema &&
      existing.targetTable === target.name &&
      existing.flatten === table.flatten &&
      [...existing.excludeColumns].sort().join("\u0000") === [...table.excludeColumns].sort().join("\u0000");
    if (!sameMapping) throw conflict(`The target, excluded columns or flattening of ${table.source} cannot change on an existing mirror.`, { tables: "Mappings cannot change." });
    kept.add(key(source.schema, source.name));
  }
  const removed = active.filter((t) => !kept.has(key(t.sourceSchema, t.sourceTable)));
  if (removed.length === 0) return [];
  if (mirror.mode !== "cdc") throw conflict("Removing tables from an initial-copy-only mirror is not supported; its target tables are yours to drop.");
  if (!TABLE_EDIT_STATUSES.includes(status)) {
    throw conflict(`Mirror ${mirror.name} is ${status.replace("_", " ")}; tables can be removed once its initial load finished and while no cutover runs.`);
  }
  return removed;
}

function conflict(message: string, fields?: Record<string, string>): UserFacingError {
  return new UserFacingError(message, "invalid_edit", fields, 409);
}
