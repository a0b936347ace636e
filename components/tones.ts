/**
 * The console's badge colours, one per meaning, so that "failed" looks the same in every tab.
 * Keys say what a value means, not what it is called: a tab maps its own statuses onto them.
 */
export const TONES = {
  /** In progress, or just information. */
  info: "bg-sky-50 text-sky-700",
  good: "bg-emerald-50 text-emerald-700",
  /** Needs a look, but nothing is lost. */
  warn: "bg-amber-50 text-amber-800",
  bad: "bg-red-50 text-red-700",
  /** Not started, or a value the tab does not know. */
  neutral: "bg-slate-100 text-slate-700",
} as const;
