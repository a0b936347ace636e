"use client";

import { useState } from "react";
import { ChartFrame } from "@/components/ChartFrame";
import { formatBytes, formatLag, formatTime } from "@/components/format";
import { usePolling } from "@/components/usePolling";
import type { LagHistory } from "@/lib/web/lag-history";

const WIDTH = 600;
const HEIGHT = 120;
const RANGES = ["1h", "24h", "7d"] as const;
type Range = (typeof RANGES)[number];

/** Default: the history refreshes every 15 s while the tab is visible (samples arrive every 5 s). */
const REFRESH_MS = 15_000;

/**
 * A mirror's lag over 1 h, 24 h or 7 d (GET /api/v1/mirrors/{name}/lag): unapplied bytes as an
 * area, WAL the slot retains as a line, on one byte scale. Plain inline SVG like RateChart;
 * polled through usePolling, so a tab left open in the background costs nothing.
 */
export function LagChart({ mirror }: { mirror: string }) {
  const [range, setRange] = useState<Range>("1h");
  const polled = usePolling<LagHistory>(`/api/v1/mirrors/${encodeURIComponent(mirror)}/lag?range=${range}`, REFRESH_MS);
  // Data of a previous range is not shown as this one's.
  const history = polled.stale ? { data: undefined, error: null } : polled;
  const points = history.data?.points ?? [];
  const max = Math.max(1, ...points.map((p) => Math.max(p.lagBytes, p.retainedBytes ?? 0)));
  const start = points.length ? Date.parse(points[0].at) : 0;
  const span = points.length > 1 ? Date.parse(points[points.length - 1].at) - start || 1 : 1;
  const x = (at: string) => (points.length > 1 ? ((Date.parse(at) - start) / span) * WIDTH : WIDTH / 2);
  const y = (bytes: number) => HEIGHT - 2 - (bytes / max) * (HEIGHT - 6);
  const lagLine = points.map((p) => `${x(p.at).toFixed(1)},${y(p.lagBytes).toFixed(1)}`).join(" ");
  const area = points.length ? `${x(points[0].at).toFixed(1)},${HEIGHT} ${lagLine} ${x(points[points.length - 1].at).toFixed(1)},${HEIGHT}` : "";
  const retained = points.filter((p) => p.retainedBytes !== null).map((p) => `${x(p.at).toFixed(1)},${y(p.retainedBytes as number).toFixed(1)}`).join(" ");
  const peak = Math.max(0, ...points.map((p) => p.lagBytes));
  const current = history.data?.current;

  return (
    <ChartFrame
      testId="lag-chart"
      title="Lag"
      summary={
        <span className="text-slate-500">
          now {formatLag(current?.lagBytes, current?.lagSeconds)} · slot retains {formatBytes(current?.retainedBytes)} · peak {formatBytes(peak)}
          {current?.measuredAt ? ` · measured ${formatTime(current.measuredAt)}` : ""}
        </span>
      }
      ranges={RANGES}
      range={range}
      onRange={setRange}
    >
      {points.length === 0 ? (
        <p className="py-8 text-center text-sm text-slate-500">{history.error ?? "No measurements in this range yet."}</p>
      ) : (
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={`Lag over the last ${range}; peak ${formatBytes(peak)}`} className="h-32 w-full">
          <line x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} className="stroke-slate-300" strokeWidth={1} />
          <polygon points={area} className="fill-sky-200" />
          <polyline points={lagLine} className="fill-none stroke-sky-600" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
          {retained && <polyline points={retained} className="fill-none stroke-amber-500" strokeWidth={1} strokeDasharray="4 3" vectorEffect="non-scaling-stroke" />}
        </svg>
      )}
      <p className="mt-1 text-xs text-slate-500">
        <span className="text-sky-700">■</span> source WAL not applied on the target · <span className="text-amber-700">┅</span> WAL the slot makes the source keep
      </p>
    </ChartFrame>
  );
}
