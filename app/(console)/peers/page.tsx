import type { Metadata } from "next";
import { EmptyState } from "@/components/EmptyState";
import { PageHeader } from "@/components/PageHeader";

export const metadata: Metadata = { title: "Peers" };
export const dynamic = "force-dynamic";

export default function PeersPage() {
  return (
    <>
      <PageHeader title="Peers" subtitle="Saved connections to PostgreSQL databases: sources and targets of mirrors." />
      <EmptyState title="No peers yet" body="A peer is a saved connection to one PostgreSQL database. Create one for the source and one for the target." />
    </>
  );
}
