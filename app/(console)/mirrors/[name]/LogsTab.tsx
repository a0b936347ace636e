"use client";

import { type DataColumn, DataTable } from "@/components/DataTable";
import { formatTime } from "@/components/format";
import { usePolling } from "@/components/usePolling";
import type { MirrorEventView } from "@/lib/web/mirrors/views";

/** Default: the log refreshes every 5 s. */
const REFRESH_MS = 5_000;

const LEVELS: Record<string, string> = {
  info: "bg-sky-50 text-sky-700",
  warn: "bg-amber-50 text-amber-800",
  error: "bg-red-50 text-red-700",
};

const EVENT_COLUMNS: DataColumn<MirrorEventView>[] = [
  { header: "Time", className: "whitespace-nowrap text-xs text-slate-600", cell: (e) => formatTime(e.createdAt) },
  {
    header: "Level",
    cell: (e) => <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${LEVELS[e.level] ?? "bg-slate-100 text-slate-700"}`}>{e.level}</span>,
  },
  {
    header: "Message",
    cell: (e) => (
      <>
        <p className="whitespace-pre-wrap">{e.message}</p>
        {e.detail != null && (
          <details className="mt-1 text-xs text-slate-500">
            <summary className="cursor-pointer">Details</summary>
            <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2">{JSON.stringify(e.detail, null, 2)}</pre>
          </details>
        )}
      </>
    ),
  },
];

export function LogsTab({ name }: { name: string }) {
  const { data, error } = usePolling<{ events: MirrorEventView[] }>(`/api/v1/mirrors/${encodeURIComponent(name)}/events`, REFRESH_MS);
  if (!data) return <p className="text-sm text-slate-500">{error ? `Could not load the log: ${error}` : "Loading the log…"}</p>;
  if (data.events.length === 0) return <p className="text-sm text-slate-500">Nothing logged yet.</p>;
  return <DataTable columns={EVENT_COLUMNS} rows={data.events} rowKey={(e) => e.id} rowAttributes={() => ({ className: "align-top" })} testId="events" />;
}
