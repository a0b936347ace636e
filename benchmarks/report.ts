import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CdcResult, ConsumerResult } from "./cdc";
import type { CpuUse } from "./cpu-meter";
import type { BenchConfig } from "./config";
import { FLOOR_METHOD, type LoadResult } from "./initial-load";
import type { ManyTablesPart, ManyTablesResult } from "./many-tables";
import type { LoadAverage, MachineInfo } from "./machine";

export interface BenchReport {
  date: string;
  config: BenchConfig;
  machine: MachineInfo;
  loadAverage: LoadAverage;
  versions: { source: string; target: string; catalog: string };
  source: { rows: number; heapBytes: number };
  initialLoad: LoadResult[];
  /** The many-table case (issue 15); null when BENCH_PARTS leaves it out. */
  many: ManyTablesPart | null;
  /** Null when BENCH_PARTS leaves the CDC part out. */
  cdc: CdcResult | null;
  targets: TargetCheck[];
  /** Every result checked: row counts, checksums, primary keys. */
  verified: boolean;
  durationSeconds: number;
}

export interface TargetCheck {
  goal: string;
  measured: string;
  met: boolean;
}

export function loadResult(report: Pick<BenchReport, "initialLoad">, method: string): LoadResult {
  const found = report.initialLoad.find((r) => r.method === method);
  if (!found) throw new Error(`no result for ${method}`);
  return found;
}

/** The median of a method's runs (BENCH_ROUNDS), in seconds, with each run's time; null when it never ran. */
export function medianRun(results: { method: string; seconds: number | null }[], method: string): { seconds: number; runs: number[] } | null {
  const runs = results.filter((r) => r.method === method && r.seconds !== null).map((r) => r.seconds as number);
  if (runs.length === 0) return null;
  const sorted = [...runs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return { seconds: sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2, runs };
}

export function consumerResult(cdc: CdcResult, name: ConsumerResult["name"]): ConsumerResult {
  const found = cdc.consumers.find((c) => c.name === name);
  if (!found) throw new Error(`no CDC result for ${name}`);
  return found;
}

/** The goals of issues 4 and 5, judged on this run's numbers. They belong here, never in timed tests. */
export function checkTargets(report: Pick<BenchReport, "initialLoad" | "cdc" | "many">): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const best = report.many ? bestOther(report.many.results) : null;
  const manyFerry = report.many ? medianRun(report.many.results, report.many.results[0].method) : null;
  if (report.many && best && manyFerry) {
    checks.push({
      goal: "many tables: pgferry (API -> completed) <= 0.8 x the fastest other tool",
      measured: `${s(manyFerry.seconds)} vs ${best.method} ${s(best.seconds)} (x${ratio(manyFerry.seconds, best.seconds)})${medians(manyFerry.runs, best.runs)}`,
      met: manyFerry.seconds <= 0.8 * best.seconds,
    });
  }
  const ferry = medianRun(report.initialLoad, "pgferry");
  const dump = medianRun(report.initialLoad, "pg_dump | psql");
  if (ferry && dump) {
    const floor = medianRun(report.initialLoad, FLOOR_METHOD);
    const floorNote = floor ? `; ${FLOOR_METHOD}: x${ratio(floor.seconds, dump.seconds)} of pg_dump | psql` : "";
    checks.push({
      goal: "one large table: pgferry (API -> completed) <= 0.8 x pg_dump | psql",
      measured: `${s(ferry.seconds)} vs ${s(dump.seconds)} (x${ratio(ferry.seconds, dump.seconds)})${medians(ferry.runs, dump.runs)}${floorNote}`,
      met: ferry.seconds <= 0.8 * dump.seconds,
    });
  }
  if (report.cdc) {
    const ferryCdc = consumerResult(report.cdc, "pgferry");
    const nativeCdc = consumerResult(report.cdc, "native");
    checks.push(
      {
        goal: `${ferryCdc.bulk.rows.toLocaleString("en-US")}-row UPDATE applied at least as fast as native`,
        measured: `${s(ferryCdc.bulk.applySeconds)} vs ${s(nativeCdc.bulk.applySeconds)} (x${ratio(ferryCdc.bulk.applySeconds, nativeCdc.bulk.applySeconds)})`,
        met: ferryCdc.bulk.applySeconds <= nativeCdc.bulk.applySeconds,
      },
      {
        goal: "under 1 s of lag at the end of the pgbench load",
        measured: `${s(ferryCdc.load.lagAtEnd.seconds)} (caught up ${s(ferryCdc.load.catchUpSeconds)} after the load; native ${s(nativeCdc.load.lagAtEnd.seconds)})`,
        met: ferryCdc.load.lagAtEnd.seconds < 1,
      },
    );
  }
  return checks;
}

export function isVerified(report: Pick<BenchReport, "initialLoad" | "cdc" | "many">): boolean {
  // Every tool that ran must have loaded every row of every table and built every index.
  const manyMatches = (report.many?.results ?? []).every((r) => r.seconds === null || (r.tablesMatching === r.tables && r.indexes === r.sourceIndexes));
  if (!manyMatches) return false;
  const cdcMatches = !report.cdc || (report.cdc.pgferryMatches && report.cdc.nativeMatches);
  // pgferry's own verification must agree with the benchmark's checksum: a false alarm is a failure too.
  const verificationsPass = report.initialLoad.every((r) => !r.verification || r.verification.status === "passed");
  return report.initialLoad.every((r) => r.checksumMatches && r.primaryKey) && cdcMatches && verificationsPass;
}

const s = (x: number) => `${x.toFixed(2)} s`;
/** ", medians of 3 runs: 7.10, 7.32, 6.95 s vs ..." when there were several runs. */
const medians = (ferry: number[], other: number[]) =>
  ferry.length > 1 || other.length > 1 ? `; medians of the runs ${ferry.map((x) => x.toFixed(2)).join(", ")} s vs ${other.map((x) => x.toFixed(2)).join(", ")} s` : "";
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "-");
const mbOrDash = (x: number | null) => (x === null ? "-" : `${x.toFixed(0)} MB`);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function formatReport(report: BenchReport): string {
  const out: string[] = [];
  const { config, machine, loadAverage } = report;
  out.push(
    `pgferry benchmark, ${report.date}: pgbench scale ${config.scale} (${report.source.rows.toLocaleString("en-US")} rows, ${mb(report.source.heapBytes)} heap)${config.quick ? ", QUICK" : ""}`,
    `machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB; load average ${loadAverage.start.toFixed(1)} at start, ${loadAverage.min.toFixed(1)}-${loadAverage.max.toFixed(1)} (avg ${loadAverage.avg.toFixed(1)}) during the run`,
    `servers: source ${report.versions.source}, target ${report.versions.target}, catalog ${report.versions.catalog}; all on 127.0.0.1`,
  );
  if (report.initialLoad.length > 0) out.push("", ...formatLoads(report));
  if (report.many) out.push("", ...formatMany(report.many));
  if (report.cdc) out.push("", ...formatCdc(report.cdc, config));

  out.push("", "Targets");
  for (const t of report.targets) out.push(`  ${t.met ? "MET    " : "NOT MET"}  ${t.goal}: ${t.measured}`);
  out.push(`  ${report.verified ? "MET    " : "NOT MET"}  every result verified (row counts, checksums, primary keys; many tables: row counts per table, index count)`);
  out.push("", `finished in ${Math.round(report.durationSeconds)} s`);
  return out.join("\n");
}

function formatLoads(report: BenchReport): string[] {
  const out = ["Initial load of pgbench_accounts (each into a fresh target database, one after the other)"];
  const ferry = medianRun(report.initialLoad, "pgferry")!;
  const dump = medianRun(report.initialLoad, "pg_dump | psql")!;
  const native = loadResult(report, "native logical replication");
  const rounds = ferry.runs.length > 1 || dump.runs.length > 1;
  out.push(
    table(
      ["method", "seconds", `pgferry${rounds ? " (median)" : ""} / this`, "rows", "checksum", "primary key", "index build"],
      report.initialLoad.map((r) => [
        r.method + (rounds && !r.method.startsWith("native") && !r.method.startsWith("pgferry ") ? `, round ${r.round}` : ""),
        r.seconds.toFixed(2),
        ratio(ferry.seconds, r.seconds),
        r.rows.toLocaleString("en-US"),
        r.checksumMatches ? "= source" : "DIFFERS",
        r.primaryKey ? "yes" : "MISSING",
        r.indexBuildSeconds === null ? "-" : `${r.indexBuildSeconds.toFixed(1)} s`,
      ]),
    ),
    `pgferry / pg_dump = ${ratio(ferry.seconds, dump.seconds)}${rounds ? ` (medians: ${s(ferry.seconds)} / ${s(dump.seconds)})` : ""}, pgferry / native = ${ratio(ferry.seconds, native.seconds)}`,
  );
  const floor = medianRun(report.initialLoad, FLOOR_METHOD);
  if (floor) {
    out.push(
      `${FLOOR_METHOD} (the servers' own work for this table, whatever drives them): ${s(floor.seconds)}${rounds ? " (median)" : ""} = ` +
        `x${ratio(floor.seconds, dump.seconds)} of pg_dump | psql; pgferry = x${ratio(ferry.seconds, floor.seconds)} of the floor`,
    );
  }
  for (const r of report.initialLoad) {
    if (!r.phases) continue;
    const p = r.phases;
    const opt = (x: number | null) => (x === null ? "-" : x.toFixed(2));
    out.push(
      `${r.method}${r.round > 1 ? `, round ${r.round}` : ""} phases (s): create ${p.create.toFixed(2)}, setup ${p.setup.toFixed(2)}, queue ${p.queue.toFixed(2)}, copy ${p.copy.toFixed(2)}, ` +
        `detect done ${opt(p.detectDone)}, primary key ${opt(p.primaryKey)}, finish ${p.finish.toFixed(2)}, observed ${p.observed.toFixed(2)}`,
      `  ${p.partitions} partitions, ${p.partitionSeconds.min.toFixed(2)}/${p.partitionSeconds.avg.toFixed(2)}/${p.partitionSeconds.max.toFixed(2)} s each (min/avg/max), ` +
        `${p.copyConcurrency.toFixed(1)} at once on average, ${Math.round(p.copyRowsPerSecond).toLocaleString("en-US")} rows/s while copying` +
        (r.workerCpuSeconds == null ? "" : `; worker process CPU ${r.workerCpuSeconds.toFixed(1)} s (${((100 * r.workerCpuSeconds) / r.seconds).toFixed(0)} % of one core)`) +
        (r.workerPeakRssMb == null ? "" : `; worker peak RSS ${r.workerPeakRssMb.toFixed(0)} MB`),
    );
    if (r.phaseLines) out.push(`  phases with worker peak RSS: ${formatPhaseLines(r.phaseLines)}`);
    const v = r.verification;
    if (v) {
      out.push(
        `${r.method} verification: ${v.status} in ${v.seconds.toFixed(2)} s, ${Math.round(v.rowsPerSecond).toLocaleString("en-US")} rows/s ` +
          `(copy: ${Math.round(r.rows / r.seconds).toLocaleString("en-US")} rows/s end to end)` +
          (v.workerPeakRssMb == null ? "" : `; worker peak RSS ${v.workerPeakRssMb.toFixed(0)} MB`),
      );
    }
  }

  return out;
}

/** The tool other than pgferry (the first result) with the lowest median; null when none ran. */
function bestOther(results: ManyTablesResult[]): { method: string; seconds: number; runs: number[] } | null {
  const others = [...new Set(results.map((r) => r.method))].filter((m) => m !== results[0].method);
  const ran = others.flatMap((method) => {
    const median = medianRun(results, method);
    return median ? [{ method, ...median }] : [];
  });
  return ran.length === 0 ? null : ran.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

function formatPhaseLines(lines: { name: string; seconds: number; workerPeakRssMb: number | null }[]): string {
  return lines.map((l) => `${l.name} ${l.seconds.toFixed(2)} s${l.workerPeakRssMb === null ? "" : ` (${l.workerPeakRssMb.toFixed(0)} MB)`}`).join(", ");
}

function formatMany(many: ManyTablesPart): string[] {
  const { shape, results } = many;
  const out = [
    `Many tables: ${shape.tables} tables x ${shape.rowsPerTable.toLocaleString("en-US")} rows + one of ${shape.bigRows.toLocaleString("en-US")} rows, primary key + 1 index each (each tool into a fresh target database, one after the other)`,
  ];
  const ferry = medianRun(results, results[0].method);
  const rounds = results.some((r) => r.round > 1);
  out.push(
    table(
      ["method", "seconds", `pgferry${rounds ? " (median)" : ""} / this`, "tables with source's rows", "indexes (source)"],
      results.map((r) => [
        r.method + (rounds ? `, round ${r.round}` : ""),
        r.seconds === null ? "skipped" : r.seconds.toFixed(2),
        r.seconds === null || ferry === null ? "-" : ratio(ferry.seconds, r.seconds),
        r.seconds === null ? "-" : `${r.tablesMatching}/${r.tables}`,
        r.seconds === null ? "-" : `${r.indexes} (${r.sourceIndexes})`,
      ]),
    ),
  );
  for (const note of new Set(results.flatMap((r) => (r.note ? [`${r.method}: ${r.note}`] : [])))) out.push(note);
  const best = bestOther(results);
  if (best && ferry) out.push(`pgferry / best other tool (${best.method}) = ${ratio(ferry.seconds, best.seconds)}${rounds ? " (medians)" : ""}`);
  for (const r of results.filter((x) => x.phases)) {
    out.push(`pgferry${rounds ? `, round ${r.round},` : ""} phases (s, worker peak RSS): ${formatPhaseLines(r.phases!)}`);
    if (r.workerPeakRssMb != null) out.push(`  worker peak RSS during the whole load: ${r.workerPeakRssMb.toFixed(0)} MB`);
  }
  return out;
}

function formatCdc(cdc: CdcResult, config: BenchConfig): string[] {
  const out: string[] = [];
  const ferryCdc = consumerResult(cdc, "pgferry");
  const nativeCdc = consumerResult(cdc, "native");
  out.push(
    `CDC of pgbench_accounts, measured one consumer at a time (the other switched off; it catches up afterwards). pgferry CDC mirror set up (initial load included) in ${s(cdc.pgferrySetupSeconds)}; native subscription with streaming = ${config.nativeStreaming}`,
  );
  const row = (label: string, get: (c: ConsumerResult) => number, fmt: (x: number) => string = (x) => x.toFixed(2)) => [
    label,
    fmt(get(ferryCdc)),
    fmt(get(nativeCdc)),
    ratio(get(ferryCdc), get(nativeCdc)),
  ];
  const cpu = (x: number | null) => (x === null ? "-" : x.toFixed(1));
  const cpuCells = (c: CpuUse) => `${cpu(c.walsender)} / ${cpu(c.apply)} / ${cpu(c.worker)} / ${cpu(c.catalog)} s`;
  out.push(
    table(
      ["measure", "pgferry", "native", "pgferry / native"],
      [
        row(`${ferryCdc.bulk.rows.toLocaleString("en-US")}-row UPDATE: applied after commit, s`, (c) => c.bulk.applySeconds),
        row("  (the UPDATE itself on the source, s)", (c) => c.bulk.statementSeconds),
        ["  CPU meanwhile: walsender / target apply / worker / catalog", ...[ferryCdc, nativeCdc].map((c) => cpuCells(c.bulk.cpu)), ""],
        row(`pgbench -N -c ${config.pgbenchClients} -T ${config.pgbenchSeconds}${config.pgbenchRate ? ` -R ${config.pgbenchRate}` : ""}: tx/s`, (c) => c.load.tps, (x) => x.toFixed(0)),
        row("  lag max, s", (c) => c.load.lag.maxSeconds),
        row("  lag avg, s", (c) => c.load.lag.avgSeconds),
        row("  lag max, MB", (c) => c.load.lag.maxBytes / 2 ** 20, (x) => x.toFixed(1)),
        row("  lag avg, MB", (c) => c.load.lag.avgBytes / 2 ** 20, (x) => x.toFixed(1)),
        row("  lag at the end of the load, s", (c) => c.load.lagAtEnd.seconds),
        row("  caught up after the load ended, s", (c) => c.load.catchUpSeconds),
        ["  CPU meanwhile: walsender / target apply / worker / catalog", ...[ferryCdc, nativeCdc].map((c) => cpuCells(c.load.cpu)), ""],
      ],
    ),
    `pgferry worker peak RSS: CDC mirror setup ${mbOrDash(cdc.pgferrySetupWorkerPeakRssMb)}, during pgferry's UPDATE ${mbOrDash(ferryCdc.workerPeakRssMb.bulk)}, ` +
      `during pgferry's pgbench load ${mbOrDash(ferryCdc.workerPeakRssMb.load)} (while native ran, mirror paused: ${mbOrDash(nativeCdc.workerPeakRssMb.bulk)} / ${mbOrDash(nativeCdc.workerPeakRssMb.load)}), ` +
      `catching up after native's turn ${mbOrDash(cdc.pgferryCatchUpWorkerPeakRssMb)}`,
    `pgferry idle (streaming, no changes): worker ${cpu(cdc.pgferryIdleCpuPerSecond.worker)} and catalog ${cpu(cdc.pgferryIdleCpuPerSecond.catalog)} CPU-seconds per second`,
    `targets equal to the source at the end (checksum): pgferry ${cdc.pgferryMatches ? "yes" : "NO"}, native ${cdc.nativeMatches ? "yes" : "NO"}`,
  );
  for (const [label, batches] of [
    ["UPDATE", ferryCdc.bulk.batches],
    ["pgbench load", ferryCdc.load.batches],
  ] as const) {
    if (!batches) continue;
    out.push(
      `pgferry batches during the ${label}: ${batches.batches} batches, ${batches.rows.toLocaleString("en-US")} rows, ` +
        `${Math.round(batches.avgRowsPerBatch)} rows/batch, longest ${batches.maxSeconds.toFixed(2)} s, ${batches.totalSeconds.toFixed(1)} s in total`,
    );
  }
  return out;
}

/** Writes the report as JSON to .bench/last-run.json (gitignored); returns the path. */
export async function writeReport(report: BenchReport, folder = ".bench"): Promise<string> {
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, "last-run.json");
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
