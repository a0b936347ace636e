"use client";

import { usePolling } from "./usePolling";

/** Header badge: how many workers are online, refreshed every 5 s. */
export function WorkerBadge() {
  const { data } = usePolling<{ online: number }>("/api/v1/workers", 5_000);
  const online = data?.online;
  const healthy = online !== undefined && online > 0;
  return (
    <span
      data-testid="worker-badge"
      title={healthy ? "Workers run setup, copies and replication" : "No worker is running: start one with `npm run worker`"}
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ${
        healthy ? "bg-emerald-50 text-emerald-700" : "bg-amber-50 text-amber-800"
      }`}
    >
      <span className={`h-2 w-2 rounded-full ${healthy ? "bg-emerald-500" : "bg-amber-500"}`} />
      {online === undefined ? "workers…" : `${online} ${online === 1 ? "worker" : "workers"} online`}
    </span>
  );
}
