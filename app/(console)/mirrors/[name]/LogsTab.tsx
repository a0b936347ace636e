"use client";

import { useEffect, useState } from "react";
import { type DataColumn, DataTable } from "@/components/DataTable";
import { formatCount, formatTime } from "@/components/format";
import { TONES } from "@/components/tones";
import { usePolling } from "@/components/usePolling";
import type { MirrorEventsPage } from "@/lib/web/mirrors/events";
import type { MirrorEventView } from "@/lib/web/mirrors/views";

/** Default: the log refreshes every 5 s, shows 50 events a page, and searches 300 ms after the last keystroke. */
const REFRESH_MS = 5_000;
const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 300;

const LEVELS: Record<string, string> = { info: TONES.info, warn: TONES.warn, error: TONES.bad };

const LEVEL_FILTERS = [
  { value: "", label: "All levels" },
  { value: "warn,error", label: "Warnings and errors" },
  { value: "error", label: "Errors" },
  { value: "warn", label: "Warnings" },
  { value: "info", label: "Info" },
];

const EVENT_COLUMNS: DataColumn<MirrorEventView>[] = [
  { header: "Time", className: "whitespace-nowrap text-xs text-slate-600", cell: (e) => formatTime(e.createdAt) },
  {
    header: "Level",
    cell: (e) => <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${LEVELS[e.level] ?? TONES.neutral}`}>{e.level}</span>,
  },
  {
    header: "Message",
    cell: (e) => (
      <>
        <p className="whitespace-pre-wrap [overflow-wrap:anywhere]">{e.message}</p>
        {e.detail != null && (
          <details className="mt-1 text-xs text-slate-600">
            <summary className="cursor-pointer">Details</summary>
            <pre className="mt-1 max-w-full overflow-x-auto rounded bg-slate-50 p-2">{JSON.stringify(e.detail, null, 2)}</pre>
          </details>
        )}
      </>
    ),
  },
];

/**
 * The mirror's log, newest first: a level filter, a text search (server-side, case-insensitive) and
 * pages of 50 that go back by event id, so events arriving meanwhile do not shift older pages.
 */
export function LogsTab({ name }: { name: string }) {
  const [level, setLevel] = useState("");
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  // The `before` cursor of every page opened so far; the last one is the page shown ("" = newest).
  const [cursors, setCursors] = useState<string[]>([""]);

  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(typed.trim());
      setCursors([""]);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const before = cursors[cursors.length - 1];
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (level) params.set("level", level);
  if (search) params.set("q", search);
  if (before) params.set("before", before);
  const { data, error } = usePolling<MirrorEventsPage>(`/api/v1/mirrors/${encodeURIComponent(name)}/events?${params}`, REFRESH_MS);

  const first = (cursors.length - 1) * PAGE_SIZE + 1;
  const filtered = level !== "" || search !== "";
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-3" role="search" aria-label="Filter the log">
        <label className="text-sm">
          <span className="block text-xs font-medium text-slate-600">Level</span>
          <select
            value={level}
            onChange={(e) => {
              setLevel(e.target.value);
              setCursors([""]);
            }}
            className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
            data-testid="log-level"
          >
            {LEVEL_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label className="min-w-48 flex-1 text-sm">
          <span className="block text-xs font-medium text-slate-600">Search messages</span>
          <input
            type="search"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            maxLength={200}
            placeholder="e.g. slot, public.orders"
            className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm"
            data-testid="log-search"
          />
        </label>
      </div>

      {!data ? (
        <p className="text-sm text-slate-600">{error ? `Could not load the log: ${error}` : "Loading the log…"}</p>
      ) : data.events.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="log-empty">
          {filtered ? "No event matches these filters." : "Nothing logged yet."}
        </p>
      ) : (
        <DataTable columns={EVENT_COLUMNS} rows={data.events} rowKey={(e) => e.id} rowAttributes={() => ({ className: "align-top" })} testId="events" />
      )}

      {data && data.total > 0 && (
        <nav aria-label="Log pages" className="flex flex-wrap items-center justify-between gap-3 text-sm">
          <span className="text-slate-600" data-testid="log-range">
            {formatCount(first)}–{formatCount(first + data.events.length - 1)} of {formatCount(data.total)} {filtered ? "matching events" : "events"}
          </span>
          <span className="flex gap-2">
            <button
              type="button"
              disabled={cursors.length === 1}
              onClick={() => setCursors((c) => c.slice(0, -1))}
              className="rounded-md border border-slate-300 bg-white px-3 py-1 font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50"
            >
              Newer
            </button>
            <button
              type="button"
              disabled={!data.nextBefore}
              onClick={() => data.nextBefore && setCursors((c) => [...c, data.nextBefore!])}
              className="rounded-md border border-slate-300 bg-white px-3 py-1 font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50"
            >
              Older
            </button>
          </span>
        </nav>
      )}
    </div>
  );
}
