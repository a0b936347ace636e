"use client";

import { useCallback, useEffect, useRef, useState } from "react";

/**
 * Fetches JSON from a URL now and every `intervalMs`, keeping the last good answer while a
 * refresh fails. A 401 sends the browser to the sign-in page.
 */
export function usePolling<T>(url: string | null, intervalMs: number) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const latestUrl = useRef(url);
  latestUrl.current = url;

  const refresh = useCallback(async () => {
    if (!latestUrl.current) return;
    try {
      const response = await fetch(latestUrl.current, { cache: "no-store" });
      if (response.status === 401) {
        window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
        return;
      }
      const body = await response.json();
      if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
      setData(body as T);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    if (!url) return;
    void refresh();
    const timer = setInterval(() => void refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [url, intervalMs, refresh]);

  return { data, error, refresh };
}
