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
  /**
   * When a CDC mirror builds the target's indexes, constraints, triggers and views (post-data):
   * "at_cutover" (so replication applies into tables without secondary constraints) or "after_load"
   * (right after the initial load, while CDC runs). Copy-only mirrors always build at the end of the
   * load. Default: "at_cutover".
   */
  postData: "at_cutover",
  /** Indexes built at the same time during post-data. Default: 2. */
  parallelIndexBuilds: 2,
  /**
   * maintenance_work_mem of each index or key build on the target, in MB; up to parallelIndexBuilds builds
   * run at once. PostgreSQL's default (64 MB) sorts a key of a few million rows on disk: a 5,000,000-row
   * integer key took 2.1–2.8 s at 64 MB and 1.7 s at 512 MB here. pgcopydb uses 1 GB. Default: 512.
   */
  indexBuildMemoryMb: 512,
  /**
   * Post-data gives the target objects the source's owners and grants where the same roles exist on
   * the target (the others are reported as not reproduced). Off: everything stays owned by the
   * target peer's user, with no grants. Default: true.
   */
  reproduceGrants: true,
} as const;

/** PostgreSQL names (slots, publications): at most 63 bytes; slots allow only [a-z0-9_]. */
const replicationObjectName = (what: string) =>
  z
    .string()
    .regex(/^[a-z0-9_]{1,63}$/, { error: `The ${what} name may use only lowercase letters, digits and underscores (at most 63).` });

/**
 * A whole number typed into the form (a string, coerced) or sent as JSON, with a message for each
 * way it can be wrong: `notANumber`, then `[bound, message]` for the smallest and largest allowed.
 */
const wholeNumber = (notANumber: string, [min, tooSmall]: [number, string], [max, tooLarge]: [number, string], fallback: number) =>
  z.coerce.number({ error: notANumber }).int().min(min, { error: tooSmall }).max(max, { error: tooLarge }).default(fallback);

export const mirrorSettingsSchema = z.object({
  rowsPerPartition: wholeNumber(
    "Rows per partition must be a number.",
    [1, "Rows per partition must be at least 1."],
    [100_000_000, "Rows per partition must be at most 100,000,000."],
    SETTINGS_DEFAULTS.rowsPerPartition,
  ),
  parallelCopyWorkers: wholeNumber(
    "Parallel copy workers must be a number.",
    [1, "Use at least 1 parallel copy worker."],
    [32, "Use at most 32 parallel copy workers."],
    SETTINGS_DEFAULTS.parallelCopyWorkers,
  ),
  tablesInParallel: wholeNumber(
    "Tables in parallel must be a number.",
    [1, "Copy at least 1 table at a time."],
    [64, "Copy at most 64 tables at a time."],
    SETTINGS_DEFAULTS.tablesInParallel,
  ),
  cdcBatchSize: z.coerce.number().int().min(1).max(1_000_000).default(SETTINGS_DEFAULTS.cdcBatchSize),
  cdcMaxBatchLatencyMs: z.coerce.number().int().min(1).max(60_000).default(SETTINGS_DEFAULTS.cdcMaxBatchLatencyMs),
  postData: z.enum(["at_cutover", "after_load"], { error: "Build target objects either at cutover or after the load." }).default(SETTINGS_DEFAULTS.postData),
  parallelIndexBuilds: wholeNumber(
    "Parallel index builds must be a number.",
    [1, "Build at least 1 index at a time."],
    [16, "Build at most 16 indexes at a time."],
    SETTINGS_DEFAULTS.parallelIndexBuilds,
  ),
  indexBuildMemoryMb: wholeNumber(
    "Index build memory must be a number (MB).",
    [16, "Give index builds at least 16 MB."],
    [65_536, "Give index builds at most 65,536 MB (64 GB)."],
    SETTINGS_DEFAULTS.indexBuildMemoryMb,
  ),
  reproduceGrants: z.boolean({ error: "Reproduce owners and grants must be true or false." }).default(SETTINGS_DEFAULTS.reproduceGrants),
  /**
   * CDC only: false skips the initial load, for tables that already hold the source's rows (a reverse mirror
   * after a cutover): replication starts at the slot's consistent point, made when the slot was created.
   * Default: true.
   */
  initialLoad: z.boolean({ error: "Initial load must be true or false." }).optional(),
  /** Default: pgferry_<mirror name>. */
  publicationName: replicationObjectName("publication").optional(),
  /** Default: pgferry_<mirror name>. */
  slotName: replicationObjectName("slot").optional(),
});

export type MirrorSettingsInput = z.input<typeof mirrorSettingsSchema>;
export type MirrorSettings = Required<z.output<typeof mirrorSettingsSchema>>;

/**
 * A mirror's settings as the catalog stores them (resolved at creation), with the default of any
 * setting added since that mirror was created.
 */
export function storedSettings(stored: unknown): MirrorSettings {
  return { ...SETTINGS_DEFAULTS, ...(stored as object | null) } as MirrorSettings;
}

/** Settings with every default applied, including the names that derive from the mirror's name. */
export function resolveSettings(mirrorName: string, input: unknown): MirrorSettings {
  const parsed = mirrorSettingsSchema.parse(input ?? {});
  const defaultName = `pgferry_${mirrorName}`;
  return { ...parsed, initialLoad: parsed.initialLoad ?? true, publicationName: parsed.publicationName ?? defaultName, slotName: parsed.slotName ?? defaultName };
}
