import type { PeerCheck } from "@/lib/web/peers/validate-checks";

const STYLE: Record<PeerCheck["status"], { icon: string; badge: string; label: string }> = {
  pass: { icon: "✓", badge: "bg-emerald-100 text-emerald-700", label: "Pass" },
  warn: { icon: "!", badge: "bg-amber-100 text-amber-800", label: "Warning" },
  fail: { icon: "✕", badge: "bg-red-100 text-red-700", label: "Failed" },
};

/** Each validation check with its status, what was found and, when it did not pass, the fix. */
export function ValidationResults({ checks, summary }: { checks: PeerCheck[]; summary?: string }) {
  return (
    <div>
      {summary && <p className="mb-3 text-sm font-medium text-slate-700">{summary}</p>}
      <ul className="divide-y divide-slate-100" aria-label="Validation checks">
        {checks.map((check) => {
          const style = STYLE[check.status];
          return (
            <li key={check.id} data-testid={`check-${check.id}`} data-status={check.status} className="flex gap-3 py-2.5">
              <span
                aria-label={style.label}
                title={style.label}
                className={`mt-0.5 flex h-5 w-5 shrink-0 items-center justify-center rounded-full text-xs font-bold ${style.badge}`}
              >
                {style.icon}
              </span>
              <div className="min-w-0 text-sm [overflow-wrap:anywhere]">
                <p>
                  <span className="font-medium">{check.label}</span>
                  <span className="ml-2 text-slate-600">{check.message}</span>
                </p>
                {check.fix && check.status !== "pass" && (
                  <p className="mt-1 rounded bg-slate-50 px-2 py-1 text-slate-700">
                    <span className="font-medium">Fix: </span>
                    {check.fix}
                  </p>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** One line that sums up a validation. */
export function validationSummary(v: { ok: boolean; usableAsTarget: boolean; usableAsCdcSource: boolean }): string {
  if (!v.ok) return "pgferry cannot connect with these details.";
  if (v.usableAsCdcSource) return "Ready: usable as a source of continuous replication (CDC) and as a target.";
  if (v.usableAsTarget) return "Usable as a target or for an initial copy; see the warnings before using it as a CDC source.";
  return "Connected, but this server cannot be used: see the failed check.";
}
