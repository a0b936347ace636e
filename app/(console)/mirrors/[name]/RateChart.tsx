import { formatCount } from "@/components/format";

const WIDTH = 600;
const HEIGHT = 120;
const GAP = 2;

/**
 * Rows applied per second over the last hour, one bar per minute (rows in that minute / 60), as
 * plain inline SVG: 60 bars do not need a chart library. Each bar has a <title> for hover.
 */
export function RateChart({ perMinute }: { perMinute: { minute: string; rows: number }[] }) {
  const rates = perMinute.map((m) => m.rows / 60);
  const max = Math.max(...rates, 0);
  const barWidth = perMinute.length ? WIDTH / perMinute.length : WIDTH;
  const total = perMinute.reduce((sum, m) => sum + m.rows, 0);
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption className="mb-2 flex items-baseline justify-between text-sm">
        <span className="font-semibold">Rows/s, last hour</span>
        <span className="text-slate-500">
          peak {formatCount(max)} rows/s · {formatCount(total)} rows in the hour
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={`Rows per second over the last hour; peak ${formatCount(max)} rows/s`} className="h-32 w-full" data-testid="rate-chart">
        <line x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} className="stroke-slate-300" strokeWidth={1} />
        {perMinute.map((m, i) => {
          const rate = rates[i];
          // A minute with any rows still gets a visible sliver, so rare changes show up.
          const height = max > 0 && rate > 0 ? Math.max(2, (rate / max) * (HEIGHT - 4)) : 0;
          return (
            <rect key={m.minute} x={i * barWidth + GAP / 2} y={HEIGHT - height} width={Math.max(1, barWidth - GAP)} height={height} className="fill-sky-500">
              <title>{`${m.minute.slice(11, 16)} UTC: ${formatCount(m.rows)} rows (${rate.toFixed(1)} rows/s)`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="mt-1 flex justify-between text-xs text-slate-500">
        <span>60 min ago</span>
        <span>now</span>
      </div>
    </figure>
  );
}
