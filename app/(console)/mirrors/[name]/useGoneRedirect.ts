"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Default: while a mirror is being deleted, ask every second whether it is gone. */
const CHECK_MS = 1_000;

/**
 * While `active`, asks `url` until it answers 404 (the worker finished cleaning up and removed the
 * mirror), then goes to `to`. Other answers, including network errors, just mean "not yet".
 */
export function useGoneRedirect(url: string, active: boolean, to: string) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      const status = await fetch(url, { cache: "no-store" }).then((r) => r.status, () => 0);
      if (stopped) return;
      if (status === 404) router.replace(to);
      else timer = setTimeout(check, CHECK_MS);
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [url, active, to, router]);
}
