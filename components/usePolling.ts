"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

/**
 * Fetches JSON from a URL now and every `intervalMs`, keeping the last good answer while a
 * refresh fails. A 401 sends the browser to the sign-in page.
 */
export function usePolling<T>(url: string | null, intervalMs: number) {
  const router = useRouter();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    if (!url) return;
    try {
      const response = await fetch(url, { cache: "no-store" });
      if (response.status === 401) {
        router.replace(`/login?next=${encodeURIComponent(window.location.pathname)}`);
        return;
      }
      const body = await response.json();
      if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
      setData(body as T);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [url, router]);

  useEffect(() => {
    if (!url) return;
    // The first fetch is the effect's purpose: it synchronises with the server, not with other state.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh();
    const timer = setInterval(() => void refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [url, intervalMs, refresh]);

  return { data, error, refresh };
}
