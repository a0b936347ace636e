import type { Metadata } from "next";
import { EmptyState } from "@/components/EmptyState";
import { PageHeader } from "@/components/PageHeader";

export const metadata: Metadata = { title: "Mirrors" };
export const dynamic = "force-dynamic";

export default function MirrorsPage() {
  return (
    <>
      <PageHeader title="Mirrors" subtitle="Each mirror copies tables from a source peer to a target peer and keeps them in sync." />
      <EmptyState title="No mirrors yet" body="Create peers for your source and target databases, then create a mirror to copy and replicate tables." />
    </>
  );
}
