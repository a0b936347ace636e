import { type MirrorStatus, STATUS_LABELS } from "@/lib/mirrors/status";

const STYLES: Record<MirrorStatus, string> = {
  setup: "bg-slate-100 text-slate-700",
  initial_load: "bg-sky-50 text-sky-700",
  running: "bg-emerald-50 text-emerald-700",
  paused: "bg-amber-50 text-amber-800",
  cutover: "bg-violet-50 text-violet-700",
  completed: "bg-indigo-50 text-indigo-700",
  failed: "bg-red-50 text-red-700",
  deleting: "bg-slate-200 text-slate-700",
};

const DOTS: Record<MirrorStatus, string> = {
  setup: "bg-slate-400",
  initial_load: "bg-sky-500 animate-pulse",
  running: "bg-emerald-500",
  paused: "bg-amber-500",
  cutover: "bg-violet-500 animate-pulse",
  completed: "bg-indigo-500",
  failed: "bg-red-500",
  deleting: "bg-slate-500 animate-pulse",
};

/** A mirror's status as a coloured pill; `testId` lets tests read it without depending on layout. */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const known = status in STYLES ? (status as MirrorStatus) : null;
  return (
    <span
      data-testid={testId}
      data-status={status}
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium ${known ? STYLES[known] : "bg-slate-100 text-slate-700"}`}
    >
      <span aria-hidden className={`h-2 w-2 rounded-full ${known ? DOTS[known] : "bg-slate-400"}`} />
      {known ? STATUS_LABELS[known] : status}
    </span>
  );
}
