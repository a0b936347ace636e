"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";

/** Default: after consecutive failures the wait doubles, up to 60 s (or the interval, if that is longer). */
const MAX_BACKOFF_MS = 60_000;

export interface Polled<T> {
  /** The last good answer; kept while a refresh fails and across URL changes (see `stale`). */
  data: T | undefined;
  error: string | null;
  /** True while `data` belongs to an earlier URL than the current one. */
  stale: boolean;
  /** Fetches now (after the request in flight, if any) and resolves when that answer is in. */
  refresh: () => Promise<void>;
}

/**
 * The one way the console polls the API: fetches JSON from `url` now and `intervalMs` after each
 * answer. Live panels read production servers through the API (a peer's sessions and slots), so
 * polling must cost nothing when nobody looks: it stops while the tab is hidden and fetches once
 * when it becomes visible again; it never starts a request while one is in flight; after an error
 * it waits longer each time. A 401 sends the browser to the sign-in page. `url` null: no polling.
 */
export function usePolling<T>(url: string | null, intervalMs: number): Polled<T> {
  const router = useRouter();
  const [state, setState] = useState<{ url: string | null; data?: T; error: string | null }>({ url: null, error: null });
  const refreshNow = useRef<() => Promise<void>>(async () => {});

  useEffect(() => {
    if (!url) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight: Promise<void> | null = null;
    let queued: Promise<void> | null = null;
    let failures = 0;

    const schedule = () => {
      clearTimeout(timer);
      if (stopped || document.visibilityState === "hidden") return;
      const backoff = Math.min(intervalMs * 2 ** failures, Math.max(intervalMs, MAX_BACKOFF_MS));
      timer = setTimeout(() => void load(), failures === 0 ? intervalMs : backoff);
    };

    const fetchOnce = async () => {
      try {
        const response = await fetch(url, { cache: "no-store" });
        if (stopped) return;
        if (response.status === 401) {
          stopped = true;
          router.replace(`/login?next=${encodeURIComponent(window.location.pathname)}`);
          return;
        }
        const body = await response.json().catch(() => null);
        if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
        failures = 0;
        if (!stopped) setState({ url, data: body as T, error: null });
      } catch (e) {
        failures += 1;
        if (!stopped) setState((s) => ({ ...s, error: (e as Error).message }));
      } finally {
        inFlight = null;
        schedule();
      }
    };

    // A refresh asked for during a request runs once after it: several such asks share that one.
    const load = (): Promise<void> => {
      if (stopped) return Promise.resolve();
      if (inFlight) {
        queued ??= inFlight.then(() => {
          queued = null;
          return load();
        });
        return queued;
      }
      clearTimeout(timer);
      inFlight = fetchOnce();
      return inFlight;
    };

    const onVisibility = () => {
      if (document.visibilityState === "hidden") clearTimeout(timer);
      else if (!inFlight) void load();
    };

    refreshNow.current = load;
    if (document.visibilityState !== "hidden") void load();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
      refreshNow.current = async () => {};
    };
  }, [url, intervalMs, router]);

  const refresh = useCallback(() => refreshNow.current(), []);
  return { data: state.data, error: state.error, stale: state.url !== url, refresh };
}
