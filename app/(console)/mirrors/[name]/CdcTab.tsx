"use client";

import type { ReactNode } from "react";
import { type DataColumn, DataTable } from "@/components/DataTable";
import { DetailItem } from "@/components/mirrors/DetailItem";
import { formatBytes, formatCount, formatDuration, formatLag, formatTime } from "@/components/format";
import { usePolling } from "@/components/usePolling";
import type { ReplicationSlot } from "@/lib/pg/introspect/slots";
import type { MirrorBatchesView, MirrorDetail, MirrorTableView } from "@/lib/web/mirrors/views";
import { LagChart } from "@/components/LagChart";
import { RateChart } from "./RateChart";
import { Ident } from "@/components/Ident";
import { RemoveTableButton } from "./RemoveTableButton";
import { ResyncTableButton } from "./ResyncTableButton";
import { TableSyncBadge } from "./TableSyncBadge";

/** Default: CDC batches refresh every 5 s. */
const REFRESH_MS = 5_000;

type SlotState = Partial<ReplicationSlot> & { missing?: boolean };

const tableColumns = (mirror: MirrorDetail): DataColumn<MirrorTableView>[] => [
  {
    header: "Table",
    className: "font-mono text-xs",
    cell: (t) => (
      <>
        <Ident text={t.source === t.target ? t.source : `${t.source} → ${t.target}`} />
        <TableSyncBadge table={t} className="ml-2" />
      </>
    ),
  },
  { header: "Inserts", numeric: true, cell: (t) => formatCount(t.inserts) },
  { header: "Updates", numeric: true, cell: (t) => formatCount(t.updates) },
  { header: "Deletes", numeric: true, cell: (t) => formatCount(t.deletes) },
  {
    header: "Actions",
    cell: (t) => (
      <span className="flex flex-wrap gap-2">
        <ResyncTableButton mirror={mirror} table={t} />
        <RemoveTableButton mirror={mirror} table={t} />
      </span>
    ),
  },
];

const BATCH_COLUMNS: DataColumn<MirrorBatchesView["recent"][number]>[] = [
  { header: "Applied", className: "whitespace-nowrap text-xs text-slate-600", cell: (b) => formatTime(b.appliedAt) },
  { header: "Rows", numeric: true, cell: (b) => formatCount(b.rows) },
  {
    header: "Ins / upd / del",
    numeric: true,
    className: "text-slate-600",
    cell: (b) => `${formatCount(b.inserts)} / ${formatCount(b.updates)} / ${formatCount(b.deletes)}`,
  },
  { header: "Duration", numeric: true, cell: (b) => formatDuration(b.durationMs) },
  { header: "LSN range", className: "font-mono text-xs whitespace-nowrap", cell: (b) => `${b.firstLsn} – ${b.lastLsn}` },
];

export function CdcTab({ mirror }: { mirror: MirrorDetail }) {
  const { data: batches, error } = usePolling<MirrorBatchesView>(`/api/v1/mirrors/${encodeURIComponent(mirror.name)}/batches`, REFRESH_MS);
  const cdc = mirror.cdc;
  if (!cdc) return <p className="text-sm text-slate-600">This mirror copies once and does not replicate changes.</p>;
  const slot = (cdc.slot ?? null) as SlotState | null;
  const streaming = mirror.status === "running" || mirror.status === "paused";

  return (
    <div className="space-y-6">
      {!streaming && mirror.status !== "failed" && (
        <p className="rounded-md bg-slate-100 px-4 py-2 text-sm text-slate-700">Continuous replication starts when the initial load has finished.</p>
      )}
      <dl className="grid gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Card label="Lag" testId="cdc-lag">
          {formatLag(cdc.lagBytes, cdc.lagSeconds)}
        </Card>
        <Card label="Inserts" testId="cdc-inserts">
          {formatCount(cdc.inserts)}
        </Card>
        <Card label="Updates" testId="cdc-updates">
          {formatCount(cdc.updates)}
        </Card>
        <Card label="Deletes" testId="cdc-deletes">
          {formatCount(cdc.deletes)}
        </Card>
        <Card label="Last applied LSN">
          <span className="font-mono text-sm">{cdc.lastAppliedLsn ?? "—"}</span>
        </Card>
        <Card label="Last source commit">
          <span className="text-sm">{formatTime(cdc.lastCommitAt)}</span>
        </Card>
      </dl>

      <RateChart mirror={mirror.name} />
      {error && <p className="text-sm text-slate-600">Could not load batches: {error}</p>}
      <LagChart mirror={mirror.name} />

      <section>
        <h2 className="mb-2 text-base font-semibold">Changes per table</h2>
        <DataTable columns={tableColumns(mirror)} rows={mirror.tables} rowKey={(t) => t.source} rowAttributes={(t) => ({ "data-testid": "cdc-table-row", "data-table": t.source })} />
      </section>

      <section>
        <h2 className="mb-2 text-base font-semibold">
          Replication slot{" "}
          <code className="text-sm font-normal">
            <Ident text={mirror.slotName} />
          </code>
        </h2>
        <SlotPanel slot={slot} retainedBytes={cdc.retainedBytes} updatedAt={cdc.statsUpdatedAt} />
      </section>

      <section>
        <h2 className="mb-2 text-base font-semibold">Recent batches</h2>
        {batches && batches.recent.length === 0 ? (
          <p className="text-sm text-slate-500">No batch applied yet: batches appear when the source commits changes to the mirror&apos;s tables.</p>
        ) : (
          <DataTable columns={BATCH_COLUMNS} rows={batches?.recent ?? []} rowKey={(b) => b.id} density="compact" testId="batches" />
        )}
      </section>
    </div>
  );
}

function SlotPanel({ slot, retainedBytes, updatedAt }: { slot: SlotState | null; retainedBytes: number | null; updatedAt: string | null }) {
  if (!slot) return <p className="text-sm text-slate-500">Not measured yet.</p>;
  if (slot.missing) {
    return (
      <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
        The slot does not exist on the source (last checked {formatTime(updatedAt)}). Replication cannot continue without it.
      </p>
    );
  }
  const lost = slot.walStatus === "lost" || !!slot.invalidationReason;
  return (
    <dl className="grid gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3 lg:grid-cols-6" data-testid="slot-state">
      <DetailItem label="Active" testId="slot-active">
        {slot.active ? `yes (pid ${slot.activePid ?? "?"})` : "no"}
      </DetailItem>
      <DetailItem label="wal_status">
        <span className={lost ? "font-medium text-red-700" : slot.walStatus === "unreserved" || slot.walStatus === "extended" ? "text-amber-700" : ""}>{slot.walStatus ?? "—"}</span>
        {slot.invalidationReason && <span className="ml-1 text-red-700">({slot.invalidationReason})</span>}
      </DetailItem>
      <DetailItem label="Retained WAL">{formatBytes(retainedBytes ?? slot.restartLagBytes ?? null)}</DetailItem>
      <DetailItem label="Unconfirmed">{formatBytes(slot.confirmedLagBytes ?? null)}</DetailItem>
      <DetailItem label="Safe WAL size">{slot.safeWalSize == null ? "unlimited" : formatBytes(slot.safeWalSize)}</DetailItem>
      <DetailItem label="Measured">{formatTime(updatedAt)}</DetailItem>
    </dl>
  );
}

function Card({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

