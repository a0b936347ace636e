import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { db } from "@/lib/catalog/db";
import { listMirrors } from "@/lib/web/mirrors/views";
import { listPeers } from "@/lib/web/peers/service";
import { MirrorsTable } from "./MirrorsTable";

export const metadata: Metadata = { title: "Mirrors" };
export const dynamic = "force-dynamic";

export default async function MirrorsPage() {
  // Rendered with data so the first paint is the real list; the table then refreshes itself.
  const [mirrors, peers] = await Promise.all([listMirrors(db()), listPeers(db())]);
  return (
    <>
      <PageHeader
        title="Mirrors"
        subtitle="Each mirror copies tables from a source peer to a target peer and keeps them in sync."
        actions={
          <Link href="/mirrors/new" className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
            New mirror
          </Link>
        }
      />
      <MirrorsTable initial={mirrors} peerCount={peers.length} />
    </>
  );
}
