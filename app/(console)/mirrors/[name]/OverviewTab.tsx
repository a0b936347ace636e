import Link from "next/link";
import { type DataColumn, DataTable } from "@/components/DataTable";
import { DetailItem } from "@/components/mirrors/DetailItem";
import { formatCount, formatLag, formatTime } from "@/components/format";
import { StatusBadge } from "@/components/mirrors/StatusBadge";
import { SETTINGS_DEFAULTS } from "@/lib/mirrors/settings";
import type { MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";
import { LastVerification } from "./VerifyTab";
import { Ident } from "@/components/Ident";

const SETTING_LABELS: [keyof MirrorDetail["settings"], string][] = [
  ["rowsPerPartition", "Rows per partition"],
  ["parallelCopyWorkers", "Parallel copy workers"],
  ["tablesInParallel", "Tables in parallel"],
  ["parallelIndexBuilds", "Parallel index builds"],
  ["indexBuildMemoryMb", "Index build memory (MB)"],
  ["cdcBatchSize", "CDC batch size"],
  ["cdcMaxBatchLatencyMs", "Max batch latency (ms)"],
];

const MAPPING_COLUMNS: DataColumn<MirrorTableView>[] = [
  { header: "Source", className: "font-mono text-xs", cell: (t) => <Ident text={t.source} /> },
  {
    header: "Target",
    className: "font-mono text-xs",
    cell: (t) => (
      <>
        <Ident text={t.target} />
        {t.target !== t.source && <span className="ml-2 rounded bg-sky-50 px-1 font-sans text-sky-700">renamed</span>}
      </>
    ),
  },
  {
    header: "Excluded columns",
    className: "text-xs",
    cell: (t) => (t.excludeColumns.length ? t.excludeColumns.join(", ") : <span className="text-slate-500">none</span>),
  },
];

/** `status` is what the header shows (a delete the user just asked for shows before the server reports it). */
export function OverviewTab({ mirror, status = mirror.status }: { mirror: MirrorDetail; status?: string }) {
  const cdc = mirror.mode === "cdc";
  return (
    <div className="space-y-6">
      <dl className="grid gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3">
        <DetailItem label="Status">
          <StatusBadge status={status} />
        </DetailItem>
        <DetailItem label="Mode">{cdc ? "Continuous replication (CDC)" : "Initial copy only"}</DetailItem>
        <DetailItem label="Source → target">
          <Link href={`/peers/${encodeURIComponent(mirror.source)}`} className="text-sky-700 hover:underline">
            <Ident text={mirror.source} />
          </Link>{" "}
          →{" "}
          <Link href={`/peers/${encodeURIComponent(mirror.target)}`} className="text-sky-700 hover:underline">
            <Ident text={mirror.target} />
          </Link>
        </DetailItem>
        <DetailItem label="Rows synced">{formatCount(mirror.rowsSynced)}</DetailItem>
        {cdc && <DetailItem label="Lag">{formatLag(mirror.lagBytes, mirror.lagSeconds)}</DetailItem>}
        <DetailItem label="Created">{formatTime(mirror.createdAt)}</DetailItem>
        <DetailItem label="Last verification">
          <LastVerification name={mirror.name} />
        </DetailItem>
        <DetailItem label="Owner worker">
          {mirror.owner ? (
            <span className="inline-flex items-center gap-1.5" data-testid="owner-worker">
              <span className={`h-2 w-2 rounded-full ${mirror.owner.online ? "bg-emerald-500" : "bg-amber-500"}`} aria-hidden />
              <Ident text={mirror.owner.workerId} className="font-mono text-xs" />
              <span className="text-slate-500">{mirror.owner.online ? "online" : "offline: another worker takes over"}</span>
            </span>
          ) : (
            <span className="text-slate-500">{mirror.status === "completed" || mirror.status === "failed" ? "none (nothing left to run)" : "waiting for a worker"}</span>
          )}
        </DetailItem>
        {cdc && (
          <>
            <DetailItem label="Publication">
              <code className="text-xs">
                <Ident text={mirror.publicationName} />
              </code>
            </DetailItem>
            <DetailItem label="Replication slot">
              <code className="text-xs">
                <Ident text={mirror.slotName} />
              </code>
            </DetailItem>
          </>
        )}
      </dl>

      {mirror.errorMessage && (
        <section>
          <h2 className="mb-2 text-base font-semibold">Error</h2>
          <p className="whitespace-pre-wrap rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">{mirror.errorMessage}</p>
        </section>
      )}

      <section>
        <h2 className="mb-2 text-base font-semibold">Settings</h2>
        <dl className="grid gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3">
          {SETTING_LABELS.filter(([key]) => cdc || !key.startsWith("cdc")).map(([key, label]) => (
            <DetailItem key={key} label={label}>
              {formatCount(Number(mirror.settings[key]))}
              {mirror.settings[key] === SETTINGS_DEFAULTS[key as keyof typeof SETTINGS_DEFAULTS] && <span className="ml-1 text-xs text-slate-500">(default)</span>}
            </DetailItem>
          ))}
        </dl>
      </section>

      <section>
        <h2 className="mb-2 text-base font-semibold">Tables</h2>
        <DataTable columns={MAPPING_COLUMNS} rows={mirror.tables} rowKey={(t) => t.source} testId="table-mapping" />
      </section>
    </div>
  );
}

