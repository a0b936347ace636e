"use client";

import { formatTime } from "@/components/mirrors/format";
import { usePolling } from "@/components/usePolling";
import type { MirrorEventView } from "@/lib/web/mirrors/views";

/** Default: the log refreshes every 5 s. */
const REFRESH_MS = 5_000;

const LEVELS: Record<string, string> = {
  info: "bg-sky-50 text-sky-700",
  warn: "bg-amber-50 text-amber-800",
  error: "bg-red-50 text-red-700",
};

export function LogsTab({ name }: { name: string }) {
  const { data, error } = usePolling<{ events: MirrorEventView[] }>(`/api/v1/mirrors/${encodeURIComponent(name)}/events`, REFRESH_MS);
  if (!data) return <p className="text-sm text-slate-500">{error ? `Could not load the log: ${error}` : "Loading the log…"}</p>;
  if (data.events.length === 0) return <p className="text-sm text-slate-500">Nothing logged yet.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm" data-testid="events">
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-4 py-2 font-medium">Time</th>
            <th className="px-4 py-2 font-medium">Level</th>
            <th className="px-4 py-2 font-medium">Message</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {data.events.map((e) => (
            <tr key={e.id} className="align-top">
              <td className="px-4 py-2 whitespace-nowrap text-xs text-slate-600">{formatTime(e.createdAt)}</td>
              <td className="px-4 py-2">
                <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${LEVELS[e.level] ?? "bg-slate-100 text-slate-700"}`}>{e.level}</span>
              </td>
              <td className="px-4 py-2">
                <p className="whitespace-pre-wrap">{e.message}</p>
                {e.detail != null && (
                  <details className="mt-1 text-xs text-slate-500">
                    <summary className="cursor-pointer">Details</summary>
                    <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2">{JSON.stringify(e.detail, null, 2)}</pre>
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
