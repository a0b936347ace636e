import type { Metadata } from "next";
import { PageHeader } from "@/components/PageHeader";
import { db } from "@/lib/catalog/db";
import { listPeers } from "@/lib/web/peers/service";
import { CreateMirrorForm, type PeerOption } from "./CreateMirrorForm";

export const metadata: Metadata = { title: "New mirror" };
export const dynamic = "force-dynamic";

export default async function NewMirrorPage() {
  const peers: PeerOption[] = (await listPeers(db())).map((p) => ({ name: p.name, host: p.host, port: p.port, database: p.database, serverVersion: p.serverVersion }));
  return (
    <>
      <PageHeader title="New mirror" subtitle="Copy tables from a source peer to a target peer, then optionally keep them in sync until cutover." />
      <CreateMirrorForm peers={peers} />
    </>
  );
}
