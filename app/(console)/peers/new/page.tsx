import type { Metadata } from "next";
import { PageHeader } from "@/components/PageHeader";
import { PeerForm } from "../PeerForm";

export const metadata: Metadata = { title: "New peer" };

export default function NewPeerPage() {
  return (
    <>
      <PageHeader title="New peer" subtitle="A saved connection to one PostgreSQL database. Its password is encrypted at rest and never shown again." />
      <PeerForm />
    </>
  );
}
