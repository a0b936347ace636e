"use client";

import Link from "next/link";
import { type DataColumn, DataTable } from "@/components/DataTable";
import { EmptyState } from "@/components/EmptyState";
import { formatCount, formatLag, formatTime } from "@/components/format";
import { StatusBadge } from "@/components/mirrors/StatusBadge";
import { usePolling } from "@/components/usePolling";
import type { MirrorSummary } from "@/lib/web/mirrors/views";
import { Ident } from "@/components/Ident";

/** Default: the list refreshes every 5 s. */
const REFRESH_MS = 5_000;

const COLUMNS: DataColumn<MirrorSummary>[] = [
  { header: "Name", className: "font-medium", cell: (m) => <MirrorName mirror={m} /> },
  {
    header: "Status",
    cell: (m) => (
      <>
        <StatusBadge status={m.status} />
        {m.status === "failed" && m.errorMessage && (
          <div className="mt-1 max-w-xs truncate text-xs text-red-700" title={m.errorMessage}>
            {m.errorMessage}
          </div>
        )}
      </>
    ),
  },
  {
    header: "Source → target",
    cell: (m) => (
      <>
        <Ident text={m.source} /> <span className="text-slate-500">→</span> <Ident text={m.target} />
      </>
    ),
  },
  { header: "Tables", numeric: true, cell: (m) => formatCount(m.tableCount) },
  { header: "Rows synced", numeric: true, cell: (m) => formatCount(m.rowsSynced) },
  { header: "Lag", numeric: true, className: "whitespace-nowrap", cell: (m) => (m.mode === "cdc" ? formatLag(m.lagBytes, m.lagSeconds) : "—") },
  { header: "Created", className: "whitespace-nowrap text-slate-600", cell: (m) => formatTime(m.createdAt) },
];

function MirrorName({ mirror }: { mirror: MirrorSummary }) {
  return (
    <>
      <Link href={`/mirrors/${encodeURIComponent(mirror.name)}`} className="text-sky-700 hover:underline">
        <Ident text={mirror.name} />
      </Link>
      <div className="text-xs font-normal text-slate-500">{mirror.mode === "cdc" ? "Continuous replication" : "Initial copy only"}</div>
    </>
  );
}

/** `peerCount` chooses the empty state: with fewer than two peers, a mirror has nothing to connect yet. */
export function MirrorsTable({ initial, peerCount }: { initial: MirrorSummary[]; peerCount: number }) {
  const { data, error } = usePolling<{ mirrors: MirrorSummary[] }>("/api/v1/mirrors", REFRESH_MS);
  const mirrors = data?.mirrors ?? initial;

  if (mirrors.length === 0) {
    return peerCount >= 2 ? (
      <EmptyState
        title="No mirrors yet"
        body={`You have ${peerCount} peers. Create a mirror to copy tables from one of them to another and keep them in sync.`}
        action={{ href: "/mirrors/new", label: "New mirror" }}
      />
    ) : (
      <EmptyState
        title="No mirrors yet"
        body={
          peerCount === 1
            ? "A mirror copies from a source peer to a target peer, and there is one peer so far. Create a peer for the other database first."
            : "A mirror copies from a source peer to a target peer. Create peers for your source and target databases first."
        }
        action={{ href: "/peers/new", label: "New peer" }}
      />
    );
  }

  const notice = error && (
    <p role="status" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-800">
      Could not refresh: {error} Showing the last known state.
    </p>
  );
  return (
    <DataTable
      columns={COLUMNS}
      rows={mirrors}
      rowKey={(m) => m.name}
      rowAttributes={(m) => ({ "data-testid": `mirror-row-${m.name}`, className: "hover:bg-slate-50" })}
      density="roomy"
      notice={notice}
    />
  );
}
