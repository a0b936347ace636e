"use client";

import { formatCount } from "@/components/format";
import { SETTINGS_DEFAULTS } from "@/lib/mirrors/settings";

export type SettingKey = keyof typeof SETTINGS_DEFAULTS | "publicationName" | "slotName";
export type SettingsText = Partial<Record<SettingKey, string>>;

interface SettingField {
  key: SettingKey;
  label: string;
  help: string;
  cdcOnly: boolean;
  numeric: boolean;
  /** A choice instead of free text; the empty choice means the default. */
  choices?: { value: string; label: string }[];
}

/** Help texts repeat the documented defaults of lib/mirrors/settings.ts. */
const FIELDS: SettingField[] = [
  { key: "rowsPerPartition", label: "Rows per partition", help: "The unit of parallel copy and of restart.", cdcOnly: false, numeric: true },
  { key: "parallelCopyWorkers", label: "Parallel copy workers", help: "Partitions copied at once for this mirror, across all workers.", cdcOnly: false, numeric: true },
  { key: "tablesInParallel", label: "Tables in parallel", help: "Tables copied at once; the others wait their turn.", cdcOnly: false, numeric: true },
  { key: "parallelIndexBuilds", label: "Parallel index builds", help: "Indexes built at once when the target's indexes and constraints are built.", cdcOnly: false, numeric: true },
  {
    key: "indexBuildMemoryMb",
    label: "Index build memory (MB)",
    help: "The target's maintenance_work_mem for each index build; up to the parallel index builds run at once.",
    cdcOnly: false,
    numeric: true,
  },
  {
    key: "reproduceGrants",
    label: "Owners and grants",
    help: "Give the target's objects the source's owners and grants where the same roles exist on the target; the others are listed in the log.",
    cdcOnly: false,
    numeric: false,
    choices: [
      { value: "true", label: "Reproduce" },
      { value: "false", label: "Leave to the target's user" },
    ],
  },
  {
    key: "postData",
    label: "Build indexes and constraints",
    help: "When the target's indexes, constraints, triggers and views are built. At cutover, replication applies into tables without secondary constraints.",
    cdcOnly: true,
    numeric: false,
    choices: [
      { value: "at_cutover", label: "At cutover" },
      { value: "after_load", label: "Right after the initial load" },
    ],
  },
  { key: "cdcBatchSize", label: "CDC batch size", help: "Most source rows applied in one target transaction.", cdcOnly: true, numeric: true },
  { key: "cdcMaxBatchLatencyMs", label: "Max batch latency (ms)", help: "Longest a received change waits before its batch is applied.", cdcOnly: true, numeric: true },
  { key: "publicationName", label: "Publication name", help: "Created on the source; lists the mirror's tables.", cdcOnly: true, numeric: false },
  { key: "slotName", label: "Replication slot name", help: "Created on the source; keeps WAL until the target has applied it.", cdcOnly: true, numeric: false },
];

/** The advanced settings, collapsed by default; empty fields mean "use the default" shown as placeholder. */
export function SettingsFields({
  values,
  onChange,
  mirrorName,
  cdc,
  errors,
  open,
  onToggle,
}: {
  values: SettingsText;
  onChange: (key: SettingKey, value: string) => void;
  mirrorName: string;
  cdc: boolean;
  errors: Record<string, string>;
  open: boolean;
  onToggle: (open: boolean) => void;
}) {
  return (
    <details open={open} onToggle={(e) => onToggle((e.target as HTMLDetailsElement).open)} className="rounded-lg border border-slate-200 bg-white">
      <summary className="cursor-pointer px-4 py-3 text-sm font-medium text-slate-800">Advanced settings</summary>
      <div className="grid gap-4 border-t border-slate-100 px-4 py-4 sm:grid-cols-2">
        {FIELDS.map((field) => {
          const id = `setting-${field.key}`;
          const error = errors[`settings.${field.key}`];
          const placeholder = defaultText(field, mirrorName);
          const disabled = field.cdcOnly && !cdc;
          return (
            <div key={field.key}>
              <label htmlFor={id} className={`block text-sm font-medium ${disabled ? "text-slate-400" : "text-slate-700"}`}>
                {field.label}
              </label>
              {field.choices ? (
                <select
                  id={id}
                  name={field.key}
                  value={values[field.key] ?? ""}
                  disabled={disabled}
                  onChange={(e) => onChange(field.key, e.target.value)}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={`${id}-help`}
                  className={`mt-1 w-full rounded-md border bg-white px-2.5 py-1.5 text-sm disabled:bg-slate-50 ${error ? "border-red-400" : "border-slate-300"}`}
                >
                  <option value="">Default ({placeholder})</option>
                  {field.choices.map((choice) => (
                    <option key={choice.value} value={choice.value}>
                      {choice.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={id}
                  name={field.key}
                  inputMode={field.numeric ? "numeric" : undefined}
                  placeholder={placeholder}
                  value={values[field.key] ?? ""}
                  disabled={disabled}
                  onChange={(e) => onChange(field.key, e.target.value)}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={`${id}-help`}
                  className={`mt-1 w-full rounded-md border px-2.5 py-1.5 text-sm disabled:bg-slate-50 ${error ? "border-red-400" : "border-slate-300"}`}
                />
              )}
              <p id={`${id}-help`} className="mt-1 text-xs text-slate-500">
                {field.help} Default: {placeholder}.{disabled ? " Used only with continuous replication." : ""}
              </p>
              {error && (
                <p role="alert" className="mt-1 text-xs text-red-700">
                  {error}
                </p>
              )}
            </div>
          );
        })}
      </div>
    </details>
  );
}

/** The default as the form shows it: a number, the choice's label, or the name derived from the mirror's. */
function defaultText(field: SettingField, mirrorName: string): string {
  const value = field.key in SETTINGS_DEFAULTS ? SETTINGS_DEFAULTS[field.key as keyof typeof SETTINGS_DEFAULTS] : null;
  if (field.numeric) return formatCount(value as number);
  if (field.choices) return field.choices.find((choice) => choice.value === String(value))?.label ?? String(value);
  return `pgferry_${mirrorName || "<name>"}`;
}

/** The `settings` of the create body: only fields the user filled in (and CDC ones only for CDC). */
export function settingsBody(values: SettingsText, cdc: boolean): Record<string, string | number | boolean> | undefined {
  const body: Record<string, string | number | boolean> = {};
  for (const field of FIELDS) {
    const raw = values[field.key]?.trim();
    if (!raw || (field.cdcOnly && !cdc)) continue;
    if (field.choices) {
      body[field.key] = raw === "true" ? true : raw === "false" ? false : raw;
      continue;
    }
    // "1,000" and "1 000" read as numbers; anything else goes as typed so the schema explains what is wrong.
    const number = Number(raw.replace(/[,\s_]/g, ""));
    body[field.key] = field.numeric && Number.isFinite(number) ? number : raw;
  }
  return Object.keys(body).length ? body : undefined;
}
