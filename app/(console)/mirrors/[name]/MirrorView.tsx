"use client";

import { BackLink } from "@/components/BackLink";
import { TabList } from "@/components/TabList";
import { useState } from "react";
import { StatusBadge } from "@/components/mirrors/StatusBadge";
import { usePolling } from "@/components/usePolling";
import type { MirrorDetail } from "@/lib/web/mirrors/views";
import { CdcTab } from "./CdcTab";
import { CutoverTab } from "./CutoverTab";
import { InitialLoadTab } from "./InitialLoadTab";
import { LogsTab } from "./LogsTab";
import { VerifyTab } from "./VerifyTab";
import { MirrorActions } from "./MirrorActions";
import { OverviewTab } from "./OverviewTab";
import { StatusBanner } from "./StatusBanner";
import { type TabId, tabsFor } from "./tabs";
import { Ident } from "@/components/Ident";

/** Default: the Initial load and Cutover tabs refresh every 2 s, the others every 5 s. */
const LOAD_REFRESH_MS = 2_000;
const REFRESH_MS = 5_000;

export function MirrorView({ initial, initialTab }: { initial: MirrorDetail; initialTab: TabId }) {
  const [tab, setTab] = useState<TabId>(initialTab);
  const [deleting, setDeleting] = useState(false);
  const url = `/api/v1/mirrors/${encodeURIComponent(initial.name)}`;
  const { data, error, refresh } = usePolling<MirrorDetail>(deleting ? null : url, tab === "load" || tab === "cutover" ? LOAD_REFRESH_MS : REFRESH_MS);
  const mirror = data ?? initial;
  const goneOrGoing = deleting || mirror.status === "deleting";

  function choose(next: TabId) {
    setTab(next);
    // The tab is in the URL so a reload or a shared link opens it; replaceState keeps history clean.
    window.history.replaceState(null, "", next === "overview" ? window.location.pathname : `?tab=${next}`);
  }

  return (
    <>
      <BackLink href="/mirrors" label="Mirrors" />
      <div className="mb-4 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-x-3 gap-y-1 text-2xl font-semibold tracking-tight">
            <Ident text={mirror.name} className="min-w-0" />
            <StatusBadge status={goneOrGoing ? "deleting" : mirror.status} testId="mirror-status" />
          </h1>
          <p className="mt-1 text-sm text-slate-600">
            <Ident text={mirror.source} /> → <Ident text={mirror.target} /> · {mirror.mode === "cdc" ? "Continuous replication" : "Initial copy only"} · {mirror.tableCount} {mirror.tableCount === 1 ? "table" : "tables"}
          </p>
        </div>
        <MirrorActions mirror={mirror} deleting={goneOrGoing} onDeleting={() => setDeleting(true)} onChanged={refresh} />
      </div>

      {goneOrGoing && (
        <p role="status" data-testid="deleting-banner" className="mb-4 rounded-md border border-slate-200 bg-slate-100 px-4 py-3 text-sm text-slate-700">
          Deleting… pgferry stops the mirror and drops its replication slot and publication on the source. Target tables are kept. You will be taken back to the mirror list when it is gone.
        </p>
      )}
      {!goneOrGoing && <StatusBanner mirror={mirror} />}
      {error && !goneOrGoing && (
        <p role="status" className="mb-4 rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-800">
          Could not refresh: {error} Showing the last known state.
        </p>
      )}

      <TabList label="Mirror details" tabs={tabsFor(mirror.mode)} selected={tab} onSelect={choose} />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} tabIndex={0} className="focus-visible:outline-offset-4">
        {tab === "overview" && <OverviewTab mirror={mirror} status={goneOrGoing ? "deleting" : mirror.status} />}
        {tab === "load" && <InitialLoadTab mirror={mirror} />}
        {tab === "cdc" && <CdcTab mirror={mirror} />}
        {tab === "verify" && <VerifyTab mirror={mirror} />}
        {tab === "cutover" && <CutoverTab mirror={mirror} onChanged={refresh} />}
        {tab === "logs" && <LogsTab name={mirror.name} />}
      </div>
    </>
  );
}
