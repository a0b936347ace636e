"use client";

import { useState } from "react";
import { ChartFrame } from "@/components/ChartFrame";
import { formatCount } from "@/components/format";
import { usePolling } from "@/components/usePolling";
import type { MirrorThroughput, ThroughputRange } from "@/lib/web/mirrors/throughput";

const WIDTH = 600;
const HEIGHT = 120;
const GAP = 1;
const RANGES: ThroughputRange[] = ["1h", "24h", "7d"];

/** Default: the chart refreshes every 15 s (a bar is at least a minute wide). */
const REFRESH_MS = 15_000;

/** Stacked from the bottom in this order; the colours are also the legend's. */
const KINDS = [
  { key: "inserts", label: "inserts", fill: "fill-sky-500", swatch: "bg-sky-500" },
  { key: "updates", label: "updates", fill: "fill-violet-500", swatch: "bg-violet-500" },
  { key: "deletes", label: "deletes", fill: "fill-red-500", swatch: "bg-red-500" },
] as const;

/**
 * Rows applied per second over 1 h, 24 h or 7 d (GET /api/v1/mirrors/{name}/throughput), one bar
 * per bucket with inserts, updates and deletes stacked, a rows/s scale on the left and times (UTC)
 * below. Plain inline SVG; the labels are HTML beside it so they do not stretch with the bars.
 */
export function RateChart({ mirror }: { mirror: string }) {
  const [range, setRange] = useState<ThroughputRange>("1h");
  const { data, error } = usePolling<MirrorThroughput>(`/api/v1/mirrors/${encodeURIComponent(mirror)}/throughput?range=${range}`, REFRESH_MS);
  const current = data?.range === range ? data : undefined;
  const buckets = current?.buckets ?? [];
  const seconds = current?.bucketSeconds ?? 60;
  const rate = (b: (typeof buckets)[number]) => (b.inserts + b.updates + b.deletes) / seconds;
  const peak = Math.max(0, ...buckets.map(rate));
  const top = niceCeiling(peak);
  const total = buckets.reduce((sum, b) => sum + b.inserts + b.updates + b.deletes, 0);
  const barWidth = buckets.length ? WIDTH / buckets.length : WIDTH;
  const scale = (value: number) => (top > 0 ? (value / seconds / top) * (HEIGHT - 2) : 0);

  return (
    <ChartFrame
      testId="rate-chart"
      title="Rows applied per second"
      summary={
        <span className="text-slate-600">
          peak {formatRateValue(peak)} rows/s · {formatCount(total)} rows in {range}
        </span>
      }
      ranges={RANGES}
      range={range}
      onRange={setRange}
    >
      {!current ? (
        <p className="py-8 text-center text-sm text-slate-600">{error ? `Could not load throughput: ${error}` : "Loading throughput…"}</p>
      ) : (
        <div className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-2">
          <div className="flex h-32 flex-col justify-between text-right text-xs tabular-nums text-slate-600" aria-hidden data-testid="rate-axis">
            <span>{formatRateValue(top)}</span>
            <span>{formatRateValue(top / 2)}</span>
            <span>0</span>
          </div>
          <svg
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={`Rows applied per second over the last ${range}: peak ${formatRateValue(peak)} rows/s, ${formatCount(total)} rows`}
            className="h-32 w-full"
          >
            <line x1={0} y1={HEIGHT / 2} x2={WIDTH} y2={HEIGHT / 2} className="stroke-slate-200" strokeWidth={1} strokeDasharray="3 3" vectorEffect="non-scaling-stroke" />
            <line x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} className="stroke-slate-300" strokeWidth={1} vectorEffect="non-scaling-stroke" />
            {buckets.map((b, i) => {
              let base = HEIGHT;
              const any = rate(b) > 0;
              return (
                <g key={b.start}>
                  <title>{`${formatBucket(b.start, range)} UTC: ${formatCount(b.inserts)} inserts, ${formatCount(b.updates)} updates, ${formatCount(b.deletes)} deletes (${formatRateValue(rate(b))} rows/s)`}</title>
                  {KINDS.map((kind) => {
                    // A bucket with any rows still gets a visible sliver, so rare changes show up.
                    const height = b[kind.key] > 0 ? Math.max(any ? 1.5 : 0, scale(b[kind.key])) : 0;
                    base -= height;
                    return height > 0 ? <rect key={kind.key} x={i * barWidth + GAP / 2} y={base} width={Math.max(0.5, barWidth - GAP)} height={height} className={kind.fill} /> : null;
                  })}
                </g>
              );
            })}
          </svg>
          <span />
          <div className="mt-1 flex justify-between text-xs text-slate-600" data-testid="rate-time-axis">
            <span>{buckets.length ? formatBucket(buckets[0].start, range) : ""}</span>
            <span>{buckets.length ? formatBucket(buckets[Math.floor(buckets.length / 2)].start, range) : ""}</span>
            <span>now (UTC)</span>
          </div>
        </div>
      )}
      <p className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
        {KINDS.map((kind) => (
          <span key={kind.key} className="inline-flex items-center gap-1.5">
            <span aria-hidden className={`inline-block h-2.5 w-2.5 rounded-sm ${kind.swatch}`} />
            {kind.label}
          </span>
        ))}
      </p>
    </ChartFrame>
  );
}

/** The scale's top: the peak rounded up to 1, 2 or 5 times a power of ten, so the ticks read as round numbers. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

function formatRateValue(value: number): string {
  if (value === 0) return "0";
  if (value < 10) return value.toLocaleString("en-US", { maximumFractionDigits: value < 1 ? 2 : 1 });
  return formatCount(value);
}

/** "14:05" within a day, "May 3 14:00" across a week. */
function formatBucket(iso: string, range: ThroughputRange): string {
  const time = iso.slice(11, 16);
  if (range !== "7d") return time;
  const date = new Date(iso);
  return `${date.toLocaleString("en-US", { month: "short", timeZone: "UTC" })} ${date.getUTCDate()} ${time}`;
}
