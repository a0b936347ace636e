"use client";

import { type DataColumn, DataTable } from "@/components/DataTable";
import { DetailItem } from "@/components/mirrors/DetailItem";
import { formatCount, formatDuration, formatPercent, formatRate, formatTime } from "@/components/format";
import { ProgressBar } from "@/components/ProgressBar";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";
import { useNow } from "./useNow";
import { Ident } from "@/components/Ident";
import { ResyncTableButton } from "./ResyncTableButton";
import { TableSyncBadge } from "./TableSyncBadge";

const TABLE_STATUS: Record<string, { label: string; className: string }> = {
  pending: { label: "Waiting", className: "bg-slate-100 text-slate-700" },
  copying: { label: "Copying", className: "bg-sky-50 text-sky-700" },
  done: { label: "Done", className: "bg-emerald-50 text-emerald-700" },
  failed: { label: "Failed", className: "bg-red-50 text-red-700" },
};

const tableColumns = (mirror: MirrorDetail): DataColumn<MirrorTableView>[] => [
  {
    header: "Table",
    className: "font-mono text-xs",
    cell: (t) => (
      <>
        <Ident text={t.source} />
        {t.target !== t.source && (
          <div className="text-slate-600">
            → <Ident text={t.target} />
          </div>
        )}
      </>
    ),
  },
  {
    header: "Status",
    cell: (t) => (
      <div className="flex flex-wrap items-center gap-1">
        <TableStatus status={t.status} />
        <TableSyncBadge table={t} />
      </div>
    ),
  },
  {
    header: "Progress",
    headerClassName: "w-48",
    cell: (t) => (
      <>
        <ProgressBar percent={tablePercent(t)} label={`Progress of ${t.source}`} size="sm" tone={t.status === "done" ? "emerald" : t.status === "failed" ? "red" : "sky"} />
        <div className="mt-0.5 text-xs text-slate-500" data-testid="load-table-partitions">
          partitions {formatCount(t.partitionsDone)}/{formatCount(t.partitionsTotal)}
        </div>
      </>
    ),
  },
  { header: "Rows copied / est.", numeric: true, className: "whitespace-nowrap", cell: (t) => `${formatCount(t.rowsCopied)} / ${formatCount(t.rowsEstimated)}` },
  { header: "Rows/s", numeric: true, cell: (t) => (t.rowsPerSecond === null ? "—" : formatCount(t.rowsPerSecond)) },
  { header: "Started", className: "whitespace-nowrap text-xs text-slate-600", cell: (t) => formatTime(t.startedAt) },
  { header: "Duration", numeric: true, className: "whitespace-nowrap", cell: (t) => formatDuration(t.durationMs) },
  { header: "Actions", cell: (t) => <ResyncTableButton mirror={mirror} table={t} /> },
];

function TableStatus({ status }: { status: string }) {
  const style = TABLE_STATUS[status] ?? { label: status, className: "bg-slate-100 text-slate-700" };
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${style.className}`} data-testid="load-table-status">
      {style.label}
    </span>
  );
}

/** A table's progress: by rows while copying (never 100 before it is done), by partitions when rows are unknown. */
export function tablePercent(t: MirrorTableView): number {
  if (t.status === "done") return 100;
  if (t.rowsEstimated > 0) return Math.min(99, (t.rowsCopied / t.rowsEstimated) * 100);
  return t.partitionsTotal > 0 ? Math.min(99, (t.partitionsDone / t.partitionsTotal) * 100) : 0;
}

export function InitialLoadTab({ mirror }: { mirror: MirrorDetail }) {
  const p = mirror.progress;
  const finished = mirror.loadFinishedAt !== null;
  const started = mirror.loadStartedAt !== null;
  const now = useNow();
  const end = finished ? Date.parse(mirror.loadFinishedAt!) : now;
  const elapsed = started && end !== null ? Math.max(0, end - Date.parse(mirror.loadStartedAt!)) : null;
  return (
    <div className="space-y-6">
      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <div className="mb-2 flex items-baseline justify-between gap-4">
          <h2 className="text-base font-semibold">
            Overall
            {mirror.phaseDetail && (
              <span className="ml-2 text-sm font-normal text-slate-600" data-testid="load-phase">
                {mirror.phaseDetail}
              </span>
            )}
          </h2>
          <span className="text-2xl font-semibold tabular-nums" data-testid="overall-percent">
            {formatPercent(p.percent)}
          </span>
        </div>
        <ProgressBar percent={p.percent} label="Overall progress" tone={finished ? "emerald" : mirror.status === "failed" ? "red" : "sky"} />
        <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3 lg:grid-cols-7">
          <DetailItem numeric label="Rows copied" testId="overall-rows-copied">
            {formatCount(p.rowsCopied)} / {formatCount(p.rowsEstimated)}
          </DetailItem>
          <DetailItem numeric label="Partitions" testId="overall-partitions">
            {formatCount(p.partitionsDone)} / {formatCount(p.partitionsTotal)}
          </DetailItem>
          <DetailItem numeric label="Throughput">{formatRate(p.rowsPerSecond)}</DetailItem>
          <DetailItem numeric label="Avg. per partition" testId="overall-partition-time">
            {formatDuration(p.averagePartitionMs)}
          </DetailItem>
          <DetailItem numeric label="ETA" testId="overall-eta">
            {finished ? "finished" : p.etaSeconds !== null ? formatDuration(p.etaSeconds * 1000) : started ? "estimating…" : "not started"}
          </DetailItem>
          <DetailItem numeric label="Started">{formatTime(mirror.loadStartedAt)}</DetailItem>
          <DetailItem numeric label={finished ? "Took" : "Running for"}>{formatDuration(elapsed)}</DetailItem>
        </dl>
        {!started && mirror.status === "setup" && <p className="mt-3 text-sm text-slate-600">Setting up: a worker is creating the snapshot and planning partitions.</p>}
      </section>

      <section>
        <h2 className="mb-2 text-base font-semibold">Tables</h2>
        <DataTable columns={tableColumns(mirror)} rows={mirror.tables} rowKey={(t) => t.source} rowAttributes={(t) => ({ "data-testid": "load-table-row", "data-table": t.source })} />
      </section>
    </div>
  );
}

