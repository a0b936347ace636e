/**
 * Grey placeholders shown while a page's data loads (loading.tsx files), shaped like what is
 * coming so the page does not jump when it arrives. Hidden from screen readers, which get one
 * "Loading …" status instead.
 */
export function PageSkeleton({ label, rows = 5, tabs = false }: { label: string; rows?: number; tabs?: boolean }) {
  return (
    <div role="status" aria-live="polite" data-testid="page-skeleton">
      <span className="sr-only">Loading {label}…</span>
      <div aria-hidden className="animate-pulse">
        <div className="mb-2 h-4 w-24 rounded bg-slate-200" />
        <div className="mb-2 h-7 w-64 max-w-full rounded bg-slate-200" />
        <div className="mb-6 h-4 w-96 max-w-full rounded bg-slate-200" />
        {tabs && (
          <div className="mb-4 flex gap-3">
            {[0, 1, 2, 3].map((i) => (
              <div key={i} className="h-8 w-20 rounded bg-slate-200" />
            ))}
          </div>
        )}
        <div className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
          {Array.from({ length: rows }, (_, i) => (
            <div key={i} className="h-5 rounded bg-slate-100" />
          ))}
        </div>
      </div>
    </div>
  );
}
