/**
 * A horizontal progress bar with an accessible value. `percent` is clamped to 0-100; `label`
 * names it for screen readers and tests (e.g. "Progress of public.orders").
 */
export function ProgressBar({ percent, label, tone = "sky", size = "md" }: { percent: number; label: string; tone?: "sky" | "emerald" | "red"; size?: "sm" | "md" }) {
  const value = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
  const fill = tone === "emerald" ? "bg-emerald-500" : tone === "red" ? "bg-red-500" : "bg-sky-500";
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(value)}
      className={`w-full overflow-hidden rounded-full bg-slate-200 ${size === "sm" ? "h-1.5" : "h-2.5"}`}
    >
      <div className={`h-full rounded-full transition-[width] duration-500 ${fill}`} style={{ width: `${value}%` }} />
    </div>
  );
}
