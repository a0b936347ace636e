import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/EmptyState";
import { PageHeader } from "@/components/PageHeader";
import { db } from "@/lib/catalog/db";
import { listPeers } from "@/lib/web/peers/service";
import { formatDate } from "./format";
import { Readiness } from "./Readiness";

export const metadata: Metadata = { title: "Peers" };
export const dynamic = "force-dynamic";

export default async function PeersPage() {
  const peers = await listPeers(db());
  const newPeer = (
    <Link href="/peers/new" className="rounded-md bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700">
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
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-2.5 font-medium">Name</th>
                <th className="px-4 py-2.5 font-medium">Host / database</th>
                <th className="px-4 py-2.5 font-medium">Version</th>
                <th className="px-4 py-2.5 font-medium">Readiness</th>
                <th className="px-4 py-2.5 font-medium">Used by</th>
                <th className="px-4 py-2.5 font-medium">Created</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {peers.map((peer) => (
                <tr key={peer.id} className="hover:bg-slate-50">
                  <td className="px-4 py-3 font-medium">
                    <Link href={`/peers/${encodeURIComponent(peer.name)}`} className="text-sky-700 hover:text-sky-900 hover:underline">
                      {peer.name}
                    </Link>
                  </td>
                  <td className="px-4 py-3 font-mono text-xs text-slate-700">
                    {peer.host}:{peer.port}/{peer.database}
                  </td>
                  <td className="px-4 py-3">{peer.serverVersion ?? "—"}</td>
                  <td className="px-4 py-3">
                    <Readiness peer={peer} />
                  </td>
                  <td className="px-4 py-3" title={peer.mirrors.join(", ")}>
                    {peer.mirrors.length === 0 ? <span className="text-slate-400">no mirrors</span> : `${peer.mirrors.length} ${peer.mirrors.length === 1 ? "mirror" : "mirrors"}`}
                  </td>
                  <td className="px-4 py-3 text-slate-600">{formatDate(peer.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
