import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BackLink } from "@/components/BackLink";
import { formatTime } from "@/components/format";
import { PageHeader } from "@/components/PageHeader";
import { db } from "@/lib/catalog/db";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { getPeer } from "@/lib/web/peers/service";
import { peerSlotMirrors } from "@/lib/web/peers/slot-mirrors";
import { Readiness } from "../Readiness";
import { ValidationResults, validationSummary } from "../ValidationResults";
import { DeletePeerButton } from "./DeletePeerButton";
import { PeerLive } from "./PeerLive";
import { RevalidateButton } from "./RevalidateButton";
import { Ident } from "@/components/Ident";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).name };
}

export default async function PeerPage({ params }: Props) {
  const { name } = await params;
  const peer = await getPeer(db(), name).catch((error: unknown) => {
    if (error instanceof UserFacingError && error.status === 404) notFound();
    throw error;
  });
  return (
    <>
      <BackLink href="/peers" label="Peers" />
      <PageHeader
        title={peer.name}
        subtitle={
          <span className="font-mono">
            <Ident text={`${peer.user}@${peer.host}:${peer.port}/${peer.database}`} /> · TLS {peer.tlsMode}
          </span>
        }
        actions={
          <>
            <Link
              href={`/peers/${encodeURIComponent(peer.name)}/edit`}
              className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50"
            >
              Edit
            </Link>
            <DeletePeerButton name={peer.name} mirrors={peer.mirrors} />
          </>
        }
      />

      <div className="mb-6 flex flex-wrap items-center gap-x-6 gap-y-2 text-sm text-slate-600">
        <Readiness peer={peer} />
        <span>
          Used by{" "}
          {peer.mirrors.length === 0
            ? "no mirror"
            : peer.mirrors.map((m, i) => (
                <span key={m}>
                  {i > 0 && ", "}
                  <Link href={`/mirrors/${encodeURIComponent(m)}`} className="text-sky-700 hover:underline">
                    {m}
                  </Link>
                </span>
              ))}
        </span>
        <span>Created {formatTime(peer.createdAt)}</span>
      </div>

      <PeerLive name={peer.name} slotMirrors={await peerSlotMirrors(db(), peer.name)} />

      <section aria-labelledby="last-validation" className="mt-6 rounded-lg border border-slate-200 bg-white p-5">
        <div className="mb-2 flex items-center justify-between gap-4">
          <h2 id="last-validation" className="text-base font-semibold">
            Last validation
            <span className="ml-2 text-sm font-normal text-slate-500">{formatTime(peer.validatedAt)}</span>
          </h2>
          <RevalidateButton name={peer.name} />
        </div>
        {peer.lastValidation ? (
          <ValidationResults checks={peer.lastValidation.checks} summary={validationSummary(peer.lastValidation)} />
        ) : (
          <p className="text-sm text-slate-600">Not validated yet.</p>
        )}
      </section>
    </>
  );
}
