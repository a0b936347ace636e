import { z } from "zod";

/**
 * A mirror's advanced settings. Every default is documented here, where it is defined, and in
 * the create form's help text.
 */
export const SETTINGS_DEFAULTS = {
  /**
   * Rows per partition of the initial load: the unit of parallelism and of restart. Default: 1,000,000
   * (measured: smaller partitions cost more in per-partition setup than they gain, see README Benchmarks).
   */
  rowsPerPartition: 1_000_000,
  /** Partitions copied at once for this mirror, across all workers. Default: 4. */
  parallelCopyWorkers: 4,
  /** Tables whose partitions are interleaved at once; the rest wait their turn. Default: 4. */
  tablesInParallel: 4,
  /** CDC: most source rows applied in one target transaction. Default: 10,000. */
  cdcBatchSize: 10_000,
  /** CDC: longest a received change waits before its batch is applied, in ms. Default: 500. */
  cdcMaxBatchLatencyMs: 500,
} as const;

/** PostgreSQL names (slots, publications): at most 63 bytes; slots allow only [a-z0-9_]. */
const replicationObjectName = (what: string) =>
  z
    .string()
    .regex(/^[a-z0-9_]{1,63}$/, { error: `The ${what} name may use only lowercase letters, digits and underscores (at most 63).` });

export const mirrorSettingsSchema = z.object({
  rowsPerPartition: z.coerce
    .number({ error: "Rows per partition must be a number." })
    .int()
    .min(1, { error: "Rows per partition must be at least 1." })
    .max(100_000_000, { error: "Rows per partition must be at most 100,000,000." })
    .default(SETTINGS_DEFAULTS.rowsPerPartition),
  parallelCopyWorkers: z.coerce
    .number({ error: "Parallel copy workers must be a number." })
    .int()
    .min(1, { error: "Use at least 1 parallel copy worker." })
    .max(32, { error: "Use at most 32 parallel copy workers." })
    .default(SETTINGS_DEFAULTS.parallelCopyWorkers),
  tablesInParallel: z.coerce
    .number({ error: "Tables in parallel must be a number." })
    .int()
    .min(1, { error: "Copy at least 1 table at a time." })
    .max(64, { error: "Copy at most 64 tables at a time." })
    .default(SETTINGS_DEFAULTS.tablesInParallel),
  cdcBatchSize: z.coerce.number().int().min(1).max(1_000_000).default(SETTINGS_DEFAULTS.cdcBatchSize),
  cdcMaxBatchLatencyMs: z.coerce.number().int().min(1).max(60_000).default(SETTINGS_DEFAULTS.cdcMaxBatchLatencyMs),
  /** Default: pgferry_<mirror name>. */
  publicationName: replicationObjectName("publication").optional(),
  /** Default: pgferry_<mirror name>. */
  slotName: replicationObjectName("slot").optional(),
});

export type MirrorSettingsInput = z.input<typeof mirrorSettingsSchema>;
export type MirrorSettings = Required<z.output<typeof mirrorSettingsSchema>>;

/** Settings with every default applied, including the names that derive from the mirror's name. */
export function resolveSettings(mirrorName: string, input: unknown): MirrorSettings {
  const parsed = mirrorSettingsSchema.parse(input ?? {});
  const defaultName = `pgferry_${mirrorName}`;
  return { ...parsed, publicationName: parsed.publicationName ?? defaultName, slotName: parsed.slotName ?? defaultName };
}
