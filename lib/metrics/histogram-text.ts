/**
 * A Prometheus histogram written from counts the catalog already aggregated (prom-client's
 * Histogram only accepts single observations, and the web process keeps no state between scrapes).
 */
export interface BucketCounts {
  labels: Record<string, string>;
  /** Cumulative counts, one per bound of `bounds`, in the same order. */
  buckets: number[];
  count: number;
  sum: number;
}

export function histogramText(name: string, help: string, bounds: number[], series: BucketCounts[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  for (const s of series) {
    bounds.forEach((bound, i) => lines.push(`${name}_bucket${labelText({ ...s.labels, le: String(bound) })} ${s.buckets[i]}`));
    lines.push(`${name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
    lines.push(`${name}_sum${labelText(s.labels)} ${s.sum}`);
    lines.push(`${name}_count${labelText(s.labels)} ${s.count}`);
  }
  return `${lines.join("\n")}\n`;
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}
