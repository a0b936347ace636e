import { z } from "zod";
import type { Prisma, PrismaClient } from "@/lib/catalog/generated/client";
import { type MirrorEventView, notFound } from "./views";

export const EVENT_LEVELS = ["info", "warn", "error"] as const;

/**
 * The query of GET /api/v1/mirrors/{name}/events, shared by the route and the Logs tab.
 * Paging is by key (`before` = the id of the last event already shown), so new events arriving
 * while someone reads page 3 do not shift what "older" means.
 */
export const eventsQuerySchema = z.object({
  /** Only events of these levels ("warn,error"). Default: every level. */
  level: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(",").filter(Boolean) : []))
    .pipe(z.array(z.enum(EVENT_LEVELS, { error: 'Level must be "info", "warn" or "error".' }))),
  /** Case-insensitive text that the message must contain. Default: none. */
  q: z.string().trim().max(200, { error: "Search at most 200 characters." }).optional(),
  /** Events older than this id. Default: start from the newest. */
  before: z
    .string()
    .regex(/^\d{1,19}$/, { error: "before must be an event id." })
    .optional(),
  /** Events per page. Default: 200 (the log as the API always returned it); at most 1000. */
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export type EventsQuery = z.output<typeof eventsQuerySchema>;

export interface MirrorEventsPage {
  events: MirrorEventView[];
  /** How many events match the filters in all (every page). */
  total: number;
  /** `before` for the next, older page; null on the last page. */
  nextBefore: string | null;
}

/** One page of a mirror's log, newest first, filtered by level and message text. */
export async function searchMirrorEvents(catalog: PrismaClient, name: string, query: EventsQuery): Promise<MirrorEventsPage> {
  const mirror = await catalog.mirror.findUnique({ where: { name }, select: { id: true } });
  if (!mirror) throw notFound(name);
  const where: Prisma.MirrorEventWhereInput = {
    mirrorId: mirror.id,
    ...(query.level.length ? { level: { in: query.level } } : {}),
    ...(query.q ? { message: { contains: query.q, mode: "insensitive" } } : {}),
  };
  const [rows, total] = await Promise.all([
    catalog.mirrorEvent.findMany({
      where: query.before ? { ...where, id: { lt: BigInt(query.before) } } : where,
      orderBy: { id: "desc" },
      // One more than asked says whether an older page exists without a second count.
      take: query.limit + 1,
    }),
    catalog.mirrorEvent.count({ where }),
  ]);
  const page = rows.slice(0, query.limit);
  return {
    events: page.map((e) => ({ id: e.id.toString(), level: e.level, message: e.message, detail: e.detail, createdAt: e.createdAt.toISOString() })),
    total,
    nextBefore: rows.length > query.limit ? page[page.length - 1].id.toString() : null,
  };
}
