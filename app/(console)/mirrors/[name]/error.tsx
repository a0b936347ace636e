"use client";

import { ErrorPanel } from "@/components/ErrorPanel";

export default function MirrorError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorPanel what="this mirror" error={error} retry={retry} listHref="/mirrors" listLabel="mirrors" />;
}
