"use client";

import { ErrorPanel } from "@/components/ErrorPanel";

export default function PeerError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorPanel what="this peer" error={error} retry={retry} listHref="/peers" listLabel="peers" />;
}
