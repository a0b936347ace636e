import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { db } from "@/lib/catalog/db";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { MIRROR_NAME_PATTERN } from "@/lib/mirrors/input";
import { getMirror, type MirrorDetail } from "@/lib/web/mirrors/views";
import { MirrorView } from "./MirrorView";
import { parseTab } from "./tabs";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ name: string }>; searchParams: Promise<{ tab?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Mirror ${(await params).name}` };
}

export default async function MirrorPage({ params, searchParams }: Props) {
  const { name } = await params;
  // Mirror names are plain identifiers, so anything else (including odd URL escapes) is simply not found.
  if (!MIRROR_NAME_PATTERN.test(name)) notFound();
  const { tab } = await searchParams;
  let mirror: MirrorDetail;
  try {
    mirror = await getMirror(db(), name);
  } catch (error) {
    if (error instanceof UserFacingError && error.status === 404) notFound();
    throw error;
  }
  return <MirrorView initial={mirror} initialTab={parseTab(typeof tab === "string" ? tab : undefined, mirror.mode)} />;
}
