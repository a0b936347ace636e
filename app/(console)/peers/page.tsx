import type { Metadata } from "next";
import Link from "next/link";
import { type DataColumn, DataTable } from "@/components/DataTable";
import { EmptyState } from "@/components/EmptyState";
import { formatTime } from "@/components/format";
import { PageHeader } from "@/components/PageHeader";
import { db } from "@/lib/catalog/db";
import { listPeers } from "@/lib/web/peers/service";
import type { PeerView } from "@/lib/web/peers/view";
import { Readiness } from "./Readiness";
import { Ident } from "@/components/Ident";

export const metadata: Metadata = { title: "Peers" };
export const dynamic = "force-dynamic";

const COLUMNS: DataColumn<PeerView>[] = [
  {
    header: "Name",
    className: "font-medium",
    cell: (peer) => (
      <Link href={`/peers/${encodeURIComponent(peer.name)}`} className="text-sky-700 hover:text-sky-900 hover:underline">
        <Ident text={peer.name} />
      </Link>
    ),
  },
  { header: "Host / database", className: "font-mono text-xs text-slate-700", cell: (peer) => <Ident text={`${peer.host}:${peer.port}/${peer.database}`} /> },
  { header: "Version", cell: (peer) => peer.serverVersion ?? "—" },
  { header: "Readiness", cell: (peer) => <Readiness peer={peer} /> },
  {
    header: "Used by",
    cell: (peer) => (
      <span title={peer.mirrors.join(", ")}>
        {peer.mirrors.length === 0 ? <span className="text-slate-500">no mirrors</span> : `${peer.mirrors.length} ${peer.mirrors.length === 1 ? "mirror" : "mirrors"}`}
      </span>
    ),
  },
  { header: "Created", className: "text-slate-600", cell: (peer) => formatTime(peer.createdAt) },
];

export default async function PeersPage() {
  const peers = await listPeers(db());
  const newPeer = (
    <Link href="/peers/new" className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
      New peer
    </Link>
  );
  return (
    <>
      <PageHeader title="Peers" subtitle="Saved connections to PostgreSQL databases: sources and targets of mirrors." actions={peers.length ? newPeer : undefined} />
      {peers.length === 0 ? (
        <EmptyState
          title="No peers yet"
          body="A peer is a saved connection to one PostgreSQL database. Create one for the source and one for the target."
          action={{ href: "/peers/new", label: "New peer" }}
        />
      ) : (
        <DataTable columns={COLUMNS} rows={peers} rowKey={(peer) => peer.id} rowAttributes={() => ({ className: "hover:bg-slate-50" })} density="roomy" />
      )}
    </>
  );
}
