import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { IndexBuildWindow } from "./index-watch";
import type { FinishStep } from "./phase-watch";

/**
 * Where a pgferry initial load spent its time, from what the worker wrote to the catalog
 * (mirror, partition rows, events) and the target's index-build samples. Seconds, in order;
 * together they add up to the measured time.
 */
export interface LoadPhases {
  /** createMirror's checks, until the mirror row exists. */
  create: number;
  /** Worker claims the mirror, creates the target table, exports the snapshot, plans and queues partitions. */
  setup: number;
  /** Until the first partition copy starts. */
  queue: number;
  /** First partition started -> last partition done. */
  copy: number;
  /** Last partition done -> the owner notices (it checks every second) and the primary key build starts. */
  detectDone: number | null;
  /** Primary key build on the target (sampled every 100 ms). */
  primaryKey: number | null;
  /** Rest of the finish: from the end of the key build (or last partition, if no build was seen) to "completed" in the catalog. */
  finish: number;
  /** Until the benchmark's 100 ms poll saw "completed". */
  observed: number;
  partitions: number;
  /** Partition copy durations: min / average / max seconds. */
  partitionSeconds: { min: number; avg: number; max: number };
  /** Partition-seconds per second of the copy phase: how many copies ran at once on average. */
  copyConcurrency: number;
  /** Rows per second during the copy phase. */
  copyRowsPerSecond: number;
}

export async function loadPhases(catalog: PrismaClient, name: string, startedMs: number, observedMs: number, window: IndexBuildWindow): Promise<LoadPhases> {
  const mirror = await catalog.mirror.findUniqueOrThrow({ where: { name }, include: { partitions: true } });
  const parts = mirror.partitions.filter((p) => p.generation === mirror.loadGeneration && p.startedAt && p.finishedAt);
  const createdMs = mirror.createdAt.getTime();
  const setupDoneMs = mirror.loadStartedAt?.getTime() ?? createdMs;
  const firstStartMs = Math.min(...parts.map((p) => p.startedAt!.getTime()));
  const lastDoneMs = Math.max(...parts.map((p) => p.finishedAt!.getTime()));
  const finishedMs = mirror.loadFinishedAt?.getTime() ?? observedMs;
  const durations = parts.map((p) => (p.finishedAt!.getTime() - p.startedAt!.getTime()) / 1000);
  const copySeconds = (lastDoneMs - firstStartMs) / 1000;
  const rows = parts.reduce((sum, p) => sum + Number(p.rowsCopied), 0);
  const s = (from: number, to: number) => (to - from) / 1000;
  const built = window.firstSeenMs !== null && window.firstSeenMs >= lastDoneMs - 100;
  return {
    create: s(startedMs, createdMs),
    setup: s(createdMs, setupDoneMs),
    queue: s(setupDoneMs, firstStartMs),
    copy: copySeconds,
    detectDone: built ? s(lastDoneMs, window.firstSeenMs!) : null,
    primaryKey: built ? s(window.firstSeenMs!, window.lastSeenMs!) : null,
    finish: s(built ? window.lastSeenMs! : lastDoneMs, finishedMs),
    observed: s(finishedMs, observedMs),
    partitions: parts.length,
    partitionSeconds: {
      min: Math.min(...durations),
      avg: durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length),
      max: Math.max(...durations),
    },
    copyConcurrency: copySeconds > 0 ? durations.reduce((a, b) => a + b, 0) / copySeconds : 0,
    copyRowsPerSecond: copySeconds > 0 ? rows / copySeconds : 0,
  };
}

/** One line of a load's phase breakdown: seconds and the worker's peak resident memory meanwhile. */
export interface PhaseLine {
  name: string;
  seconds: number;
  workerPeakRssMb: number | null;
}

/**
 * The phases of one load in order: create, setup, queue and copy from the catalog's timestamps
 * (exact), then each finish step (index builds, constraint builds, analyze, …) as sampled by
 * watchPhases (±1 s at step boundaries), with the worker's peak RSS where it was sampled.
 */
export function combinedPhases(load: LoadPhases, steps: { step: FinishStep; seconds: number; workerPeakRssMb: number | null }[]): PhaseLine[] {
  const rss = (step: FinishStep) => steps.find((s) => s.step === step)?.workerPeakRssMb ?? null;
  return [
    { name: "create (API)", seconds: load.create, workerPeakRssMb: null },
    { name: "setup", seconds: load.setup, workerPeakRssMb: rss("setup") },
    { name: "queue", seconds: load.queue, workerPeakRssMb: null },
    { name: `copy (${load.partitions} partitions)`, seconds: load.copy, workerPeakRssMb: rss("copy") },
    ...steps.filter((s) => s.step !== "setup" && s.step !== "copy").map((s) => ({ name: s.step, seconds: s.seconds, workerPeakRssMb: s.workerPeakRssMb })),
  ];
}
