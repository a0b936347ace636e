"use client";

import { useCallback, useEffect, useState } from "react";
import type { TableListing } from "@/lib/pg/introspect/tables";
import type { TargetTableInfo } from "@/lib/web/peers/target-tables";

interface Result<T> {
  /** Which request this answers: peer name and reload counter. */
  request: string;
  data?: T;
  error?: string;
}

/**
 * GET /api/v1/peers/{peer}/{what}, asked live whenever the peer changes or `reload()` is called.
 * An answer for a peer no longer chosen is ignored.
 */
function usePeerQuery<T>(peer: string | null, what: string) {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<Result<T> | null>(null);
  const request = peer ? `${peer}#${attempt}` : null;

  useEffect(() => {
    if (!peer || !request) return;
    const controller = new AbortController();
    fetch(`/api/v1/peers/${encodeURIComponent(peer)}/${what}`, { cache: "no-store", signal: controller.signal })
      .then(async (response) => {
        const body = await response.json().catch(() => null);
        if (!response.ok) throw new Error(body?.error?.message ?? `The server answered ${response.status}.`);
        setResult({ request, data: body as T });
      })
      .catch((error: Error) => {
        if (!controller.signal.aborted) setResult({ request, error: error.message });
      });
    return () => controller.abort();
  }, [peer, request, what]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const current = result && result.request === request ? result : null;
  return { data: current?.data ?? null, error: current?.error ?? null, loading: request !== null && current === null, reload };
}

/** The source peer's schemas and tables (GET /api/v1/peers/{name}/tables). */
export function usePeerTables(peer: string | null) {
  const { data, ...rest } = usePeerQuery<TableListing>(peer, "tables");
  return { listing: data, ...rest };
}

/** The target peer's tables with rows and the mirrors writing them (GET /api/v1/peers/{name}/target-tables). */
export function useTargetTables(peer: string | null) {
  const { data, ...rest } = usePeerQuery<{ tables: TargetTableInfo[] }>(peer, "target-tables");
  return { tables: data?.tables ?? null, ...rest };
}
