import { z } from "zod";
import { mirrorSettingsSchema } from "./settings";
import { MIRROR_MODES } from "./status";
import { parseQualifiedName } from "./table-mapping";

/**
 * The one schema of a mirror's creation, used by the create form and by the API
 * (`POST /api/v1/mirrors`). No Node-only imports: it is bundled for the browser too.
 */

/** Mirror names become part of slot and publication names (pgferry_<name>), which PostgreSQL caps at 63. */
export const MIRROR_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,54}$/;

const tableName = (field: string) =>
  z.string({ error: `${field} is required.` }).superRefine((value, ctx) => {
    try {
      parseQualifiedName(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `${field}: ${(error as Error).message}` });
    }
  });

/** Upper bound on a mirror's table list, so one request cannot make the server check millions. Default: 10,000. */
export const MAX_TABLES_PER_MIRROR = 10_000;
/** An identifier is at most 63 bytes; a UTF-8 character is at most 4 bytes. */
const MAX_IDENTIFIER_BYTES = 63;

export const mirrorTableSchema = z.object({
  source: tableName("Source table"),
  target: tableName("Target table").optional(),
  excludeColumns: z
    .array(z.string().min(1).max(MAX_IDENTIFIER_BYTES * 4))
    // PostgreSQL's own limit on columns per table: a longer list cannot be right.
    .max(1600, { error: "At most 1,600 excluded columns per table (PostgreSQL's column limit)." })
    .default([]),
  /** A partitioned source table becomes one ordinary target table (ignored for an ordinary table). Default: false. */
  flatten: z.boolean({ error: "Flatten must be true or false." }).default(false),
});

export const mirrorCreateSchema = z
  .object({
    name: z
      .string({ error: "Name is required." })
      .regex(MIRROR_NAME_PATTERN, {
        error: "Use only lowercase letters, digits and underscores, starting with a letter or underscore, at most 55 characters.",
      }),
    source: z.string({ error: "Choose a source peer." }).min(1, { error: "Choose a source peer." }),
    target: z.string({ error: "Choose a target peer." }).min(1, { error: "Choose a target peer." }),
    mode: z.enum(MIRROR_MODES, { error: 'Mode must be "cdc" or "initial_load_only".' }),
    tables: z
      .array(mirrorTableSchema)
      .min(1, { error: "Select at least one table." })
      .max(MAX_TABLES_PER_MIRROR, { error: `At most ${MAX_TABLES_PER_MIRROR.toLocaleString("en")} tables per mirror; split larger migrations into several mirrors.` }),
    settings: mirrorSettingsSchema.partial().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.source === value.target) {
      // Same peer is allowed only when tables are renamed; otherwise a table would copy onto itself.
      value.tables.forEach((table, index) => {
        const target = table.target ?? table.source;
        if (parseSafe(target) === parseSafe(table.source)) {
          ctx.addIssue({ code: "custom", path: ["tables", index, "target"], message: "Source and target are the same table on the same peer." });
        }
      });
    }
    const seen = new Map<string, number>();
    value.tables.forEach((table, index) => {
      const key = parseSafe(table.target ?? table.source);
      if (seen.has(key)) {
        ctx.addIssue({ code: "custom", path: ["tables", index, "target"], message: `Two tables map to the same target table ${table.target ?? table.source}.` });
      }
      seen.set(key, index);
    });
  });

function parseSafe(text: string): string {
  try {
    const { schema, name } = parseQualifiedName(text);
    return JSON.stringify([schema, name]);
  } catch {
    return text;
  }
}

export type MirrorCreateInput = z.input<typeof mirrorCreateSchema>;
export type MirrorCreate = z.output<typeof mirrorCreateSchema>;
