import type { ReactNode } from "react";

/** One labelled value inside a <dl>: the mirror tabs' facts and figures. A long value wraps rather than widening the grid. */
export function DetailItem({ label, children, testId, numeric = false }: { label: string; children: ReactNode; testId?: string; numeric?: boolean }) {
  return (
    <div className="min-w-0 [overflow-wrap:anywhere]">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className={`mt-0.5 text-slate-900 ${numeric ? "tabular-nums" : ""}`} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
