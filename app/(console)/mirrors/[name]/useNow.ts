"use client";

import { useEffect, useState } from "react";

/**
 * The current time, ticking every `intervalMs`; null until mounted, so that the server's render
 * and the browser's first render agree (no hydration mismatch on "running for …").
 */
export function useNow(intervalMs = 1_000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, intervalMs);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [intervalMs]);
  return now;
}
