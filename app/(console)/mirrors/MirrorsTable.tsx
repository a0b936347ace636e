"use client";

import Link from "next/link";
import { EmptyState } from "@/components/EmptyState";
import { formatCount, formatLag, formatTime } from "@/components/mirrors/format";
import { StatusBadge } from "@/components/mirrors/StatusBadge";
import { usePolling } from "@/components/usePolling";
import type { MirrorSummary } from "@/lib/web/mirrors/views";

/** Default: the list refreshes every 5 s. */
const REFRESH_MS = 5_000;

export function MirrorsTable({ initial }: { initial: MirrorSummary[] }) {
  const { data, error } = usePolling<{ mirrors: MirrorSummary[] }>("/api/v1/mirrors", REFRESH_MS);
  const mirrors = data?.mirrors ?? initial;

  if (mirrors.length === 0) {
    return (
      <EmptyState
        title="No mirrors yet"
        body="Create peers for your source and target databases, then create a mirror to copy and replicate tables."
        action={{ href: "/mirrors/new", label: "New mirror" }}
      />
    );
  }

  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      {error && (
        <p role="status" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-800">
          Could not refresh: {error} Showing the last known state.
        </p>
      )}
      <table className="w-full text-left text-sm">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-4 py-2 font-medium">Name</th>
            <th className="px-4 py-2 font-medium">Status</th>
            <th className="px-4 py-2 font-medium">Source → target</th>
            <th className="px-4 py-2 text-right font-medium">Tables</th>
            <th className="px-4 py-2 text-right font-medium">Rows synced</th>
            <th className="px-4 py-2 text-right font-medium">Lag</th>
            <th className="px-4 py-2 font-medium">Created</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {mirrors.map((m) => (
            <tr key={m.name} data-testid={`mirror-row-${m.name}`} className="hover:bg-slate-50">
              <td className="px-4 py-2.5 font-medium">
                <Link href={`/mirrors/${encodeURIComponent(m.name)}`} className="text-sky-700 hover:underline">
                  {m.name}
                </Link>
                <div className="text-xs font-normal text-slate-500">{m.mode === "cdc" ? "Continuous replication" : "Initial copy only"}</div>
              </td>
              <td className="px-4 py-2.5">
                <StatusBadge status={m.status} />
                {m.status === "failed" && m.errorMessage && (
                  <div className="mt-1 max-w-xs truncate text-xs text-red-700" title={m.errorMessage}>
                    {m.errorMessage}
                  </div>
                )}
              </td>
              <td className="px-4 py-2.5 whitespace-nowrap">
                {m.source} <span className="text-slate-400">→</span> {m.target}
              </td>
              <td className="px-4 py-2.5 text-right tabular-nums">{formatCount(m.tableCount)}</td>
              <td className="px-4 py-2.5 text-right tabular-nums">{formatCount(m.rowsSynced)}</td>
              <td className="px-4 py-2.5 text-right tabular-nums whitespace-nowrap">{m.mode === "cdc" ? formatLag(m.lagBytes, m.lagSeconds) : "—"}</td>
              <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">{formatTime(m.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
