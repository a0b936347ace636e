import type { ReactNode } from "react";

/**
 * The frame every time-series chart of the console shares: a titled figure whose caption holds a
 * summary and the time-range buttons. The chart itself (inline SVG, legend) is the children.
 */
export function ChartFrame<Range extends string>({
  testId,
  title,
  summary,
  ranges,
  range,
  onRange,
  children,
}: {
  testId: string;
  title: string;
  /** Beside the title, e.g. the peak over the range; the caller styles it. */
  summary: ReactNode;
  ranges: readonly Range[];
  range: Range;
  onRange: (range: Range) => void;
  children: ReactNode;
}) {
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4" data-testid={testId}>
      <figcaption className="mb-2 flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-semibold">{title}</span>
        {summary}
        <span className="flex gap-1" role="group" aria-label="Time range">
          {ranges.map((r) => (
            <button
              key={r}
              type="button"
              onClick={() => onRange(r)}
              aria-pressed={r === range}
              className={`rounded px-2 py-0.5 text-xs ${r === range ? "bg-sky-700 text-white" : "border border-slate-300 text-slate-700 hover:bg-slate-50"}`}
            >
              {r}
            </button>
          ))}
        </span>
      </figcaption>
      {children}
    </figure>
  );
}
