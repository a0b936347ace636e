"use client";

import { ErrorPanel } from "@/components/ErrorPanel";

export default function ConsoleError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorPanel what="this page" error={error} retry={retry} listHref="/mirrors" listLabel="mirrors" />;
}
