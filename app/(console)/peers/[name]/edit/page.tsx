import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/PageHeader";
import { db } from "@/lib/catalog/db";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { getPeer } from "@/lib/web/peers/service";
import { PeerForm } from "../../PeerForm";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Edit ${(await params).name}` };
}

export default async function EditPeerPage({ params }: Props) {
  const name = (await params).name;
  const peer = await getPeer(db(), name).catch((error: unknown) => {
    if (error instanceof UserFacingError && error.status === 404) notFound();
    throw error;
  });
  return (
    <>
      <PageHeader title={`Edit ${peer.name}`} subtitle="Saving validates the new details first. Leave the password empty to keep the stored one." />
      <PeerForm peer={peer} />
    </>
  );
}
