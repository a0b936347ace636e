"use client";

import type { ReactNode } from "react";
import { ErrorNote } from "@/components/ErrorNote";
import { usePolling } from "@/components/usePolling";
import type { Publication } from "@/lib/pg/introspect/publications";
import type { ServerInfo } from "@/lib/pg/introspect/server-info";
import type { ReplicationSlot } from "@/lib/pg/introspect/slots";
import type { PeerActivity } from "@/lib/web/peers/service-live";
import { formatBytes, formatDuration } from "@/components/format";
import type { SlotMirror } from "@/lib/web/peers/slot-mirrors";
import { SlotLagCharts } from "./SlotLagCharts";

/** How often the running commands refresh: often enough to watch a COPY or FETCH progress. */
const ACTIVITY_MS = 2_000;
const SLOTS_MS = 5_000;
const SERVER_MS = 15_000;

/** Live facts about the peer's server, each asked through the API on its own schedule. */
export function PeerLive({ name, slotMirrors = [] }: { name: string; slotMirrors?: SlotMirror[] }) {
  const base = `/api/v1/peers/${encodeURIComponent(name)}`;
  const server = usePolling<ServerInfo>(`${base}/server`, SERVER_MS);
  const activity = usePolling<PeerActivity>(`${base}/activity`, ACTIVITY_MS);
  const slots = usePolling<{ slots: ReplicationSlot[] }>(`${base}/slots`, SLOTS_MS);
  const publications = usePolling<{ publications: Publication[] }>(`${base}/publications`, SLOTS_MS);

  return (
    <div className="space-y-6">
      <Panel id="server" title="Server" error={server.error} loading={!server.data}>
        {server.data && <ServerFacts info={server.data} />}
      </Panel>
      <Panel
        id="running-commands"
        title="Running commands"
        note="pgferry's sessions on this server, refreshed every 2 s"
        error={activity.error}
        loading={!activity.data}
      >
        {activity.data && <Sessions sessions={activity.data.sessions} />}
      </Panel>
      <Panel id="replication-slots" title="Replication slots" error={slots.error} loading={!slots.data}>
        {slots.data && <Slots slots={slots.data.slots} />}
        {slots.data && <SlotLagCharts mirrors={slotMirrors} slots={slots.data.slots} />}
      </Panel>
      <Panel id="publications" title="Publications" error={publications.error} loading={!publications.data}>
        {publications.data && <Publications publications={publications.data.publications} />}
      </Panel>
    </div>
  );
}

function Panel(props: { id: string; title: string; note?: string; error: string | null; loading: boolean; children: ReactNode }) {
  return (
    <section aria-labelledby={props.id} className="rounded-lg border border-slate-200 bg-white">
      <div className="flex items-baseline justify-between gap-4 border-b border-slate-100 px-5 py-3">
        <h2 id={props.id} className="text-base font-semibold">
          {props.title}
        </h2>
        {props.note && <span className="text-xs text-slate-500">{props.note}</span>}
      </div>
      <div className="px-5 py-4">
        <ErrorNote message={props.error} className="mb-3" />
        {props.loading && !props.error ? <p className="text-sm text-slate-500">Loading…</p> : props.children}
      </div>
    </section>
  );
}

function ServerFacts({ info }: { info: ServerInfo }) {
  const facts: [string, ReactNode][] = [
    ["PostgreSQL", info.version],
    ["Database size", formatBytes(info.databaseBytes)],
    [
      "wal_level",
      <span key="wal" className={info.walLevel === "logical" ? "text-emerald-700" : "text-amber-800"}>
        {info.walLevel}
      </span>,
    ],
    ["Replication slots", `${info.replicationSlots.used} of ${info.replicationSlots.max} used`],
    ["WAL senders", `${info.walSenders.used} of ${info.walSenders.max} used`],
    ["Role", info.inRecovery ? "standby (read-only)" : "primary"],
  ];
  return (
    <>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-3 lg:grid-cols-6">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
            <dd className="mt-0.5 text-sm font-medium">{value}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-3 truncate text-xs text-slate-500" title={info.versionText}>
        {info.versionText}
      </p>
    </>
  );
}

function Sessions({ sessions }: { sessions: PeerActivity["sessions"] }) {
  if (sessions.length === 0) return <p className="text-sm text-slate-600">No pgferry session is running on this server.</p>;
  return (
    <Table headers={["PID", "Application", "State", "Duration", "Wait event", "Query"]}>
      {sessions.map((s) => (
        <tr key={s.pid} data-testid="session-row" className="align-top">
          <Cell mono>{s.pid}</Cell>
          <Cell mono>
            {s.applicationName}
            {s.self && <span className="ml-2 rounded bg-sky-50 px-1.5 py-0.5 font-sans text-xs text-sky-700">this view</span>}
          </Cell>
          <Cell>
            <StateBadge state={s.state} />
          </Cell>
          <Cell>{formatDuration(s.durationMs)}</Cell>
          <Cell>{s.waitEvent ? `${s.waitEventType}: ${s.waitEvent}` : "—"}</Cell>
          <td className="max-w-md px-3 py-2">
            {/* One line per statement reads better in a table; the full text is in the tooltip. */}
            <code className="line-clamp-3 break-words text-xs text-slate-700" title={s.query ?? undefined}>
              {s.query?.replace(/\s+/g, " ").trim() || "—"}
            </code>
          </td>
        </tr>
      ))}
    </Table>
  );
}

function StateBadge({ state }: { state: string | null }) {
  const style =
    state === "active"
      ? "bg-emerald-50 text-emerald-700"
      : state?.startsWith("idle in transaction")
        ? "bg-amber-50 text-amber-800"
        : "bg-slate-100 text-slate-600";
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${style}`}>{state ?? "unknown"}</span>;
}

function Slots({ slots }: { slots: ReplicationSlot[] }) {
  if (slots.length === 0) return <p className="text-sm text-slate-600">No replication slots on this server.</p>;
  return (
    <Table headers={["Slot", "Plugin", "Database", "Active", "Unconfirmed", "WAL retained", "wal_status"]}>
      {slots.map((slot) => (
        <tr key={slot.name}>
          <Cell mono>{slot.name}</Cell>
          <Cell>{slot.plugin ?? slot.slotType}</Cell>
          <Cell>{slot.database ?? "—"}</Cell>
          <Cell>{slot.active ? <span className="text-emerald-700">active (pid {slot.activePid})</span> : <span className="text-slate-500">inactive</span>}</Cell>
          <Cell>{formatBytes(slot.confirmedLagBytes)}</Cell>
          <Cell>{formatBytes(slot.restartLagBytes)}</Cell>
          <Cell>
            <span className={slot.walStatus === "lost" || slot.walStatus === "unreserved" ? "font-medium text-red-700" : ""}>{slot.walStatus ?? "—"}</span>
            {slot.invalidationReason && <span className="ml-1 text-xs text-red-700">({slot.invalidationReason})</span>}
          </Cell>
        </tr>
      ))}
    </Table>
  );
}

function Publications({ publications }: { publications: Publication[] }) {
  if (publications.length === 0) return <p className="text-sm text-slate-600">No publications in this database.</p>;
  return (
    <ul className="divide-y divide-slate-100">
      {publications.map((p) => {
        const ops = Object.entries(p.operations)
          .filter(([, on]) => on)
          .map(([op]) => op)
          .join(", ");
        return (
          <li key={p.name} className="py-2.5 text-sm">
            <p>
              <span className="font-mono font-medium">{p.name}</span>
              <span className="ml-2 text-slate-500">
                {p.allTables ? "all tables" : `${p.tables.length} ${p.tables.length === 1 ? "table" : "tables"}`} · {ops || "no operations"} · owner {p.owner}
              </span>
            </p>
            {p.tables.length > 0 && (
              <p className="mt-1 font-mono text-xs text-slate-600">{p.tables.map((t) => `${t.schema}.${t.name}`).join(", ")}</p>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function Table({ headers, children }: { headers: string[]; children: ReactNode }) {
  return (
    <div className="-mx-2 overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {headers.map((h) => (
              <th key={h} className="px-3 py-1.5 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

function Cell({ children, mono }: { children: ReactNode; mono?: boolean }) {
  return <td className={`whitespace-nowrap px-3 py-2 ${mono ? "font-mono text-xs" : ""}`}>{children}</td>;
}
