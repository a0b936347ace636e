"use client";

import { useCallback, useEffect, useState } from "react";
import type { TableListing } from "@/lib/pg/introspect/tables";

interface Result {
  /** Which request this answers: peer name and reload counter. */
  request: string;
  listing?: TableListing;
  error?: string;
}

/**
 * The source peer's schemas and tables, asked live (GET /api/v1/peers/{name}/tables) whenever the
 * peer changes or `reload()` is called. An answer for a peer no longer chosen is ignored.
 */
export function usePeerTables(peer: string | null) {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<Result | null>(null);
  const request = peer ? `${peer}#${attempt}` : null;

  useEffect(() => {
    if (!peer || !request) return;
    const controller = new AbortController();
    fetch(`/api/v1/peers/${encodeURIComponent(peer)}/tables`, { cache: "no-store", signal: controller.signal })
      .then(async (response) => {
        const body = await response.json().catch(() => null);
        if (!response.ok) throw new Error(body?.error?.message ?? `The server answered ${response.status}.`);
        setResult({ request, listing: body as TableListing });
      })
      .catch((error: Error) => {
        if (!controller.signal.aborted) setResult({ request, error: error.message });
      });
    return () => controller.abort();
  }, [peer, request]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const current = result && result.request === request ? result : null;
  return { listing: current?.listing ?? null, error: current?.error ?? null, loading: request !== null && current === null, reload };
}
