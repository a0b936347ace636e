import type { PrismaClient } from "@/lib/catalog/generated/client";
import { residentMb } from "./process-memory";

/** A step of a load: setup and copy from mirrors.status, the finish's steps as mirrors.phase / phase_detail name them (workers/mirrors/phase.ts). */
export type FinishStep = "setup" | "copy" | "primary keys" | "index builds" | "constraint builds" | "other post-data" | "sequences" | "analyze";

export interface PhaseSpan {
  step: FinishStep;
  /** Wall-clock ms of the first and last sample that showed the step. */
  fromMs: number;
  toMs: number;
  /** Worker peak RSS while the step was showing (MB). */
  workerPeakRssMb: number | null;
}

/**
 * Samples a mirror's status and phase every 100 ms from the catalog and records when each step was
 * showing, with the worker's resident memory meanwhile. The worker writes a new phase at once but
 * a new step of the same phase (indexes -> constraints) at most once a second, so a step boundary
 * is known to ±1 s; short steps may not be seen at all.
 */
export function watchPhases(catalog: PrismaClient, name: string, workerPid: number | undefined): { stop(): Promise<PhaseSpan[]> } {
  const spans: PhaseSpan[] = [];
  let stopped = false;
  let current: PhaseSpan | null = null;
  const loop = (async () => {
    while (!stopped) {
      const row = await catalog.mirror.findUnique({ where: { name }, select: { status: true, phase: true, phaseDetail: true } }).catch(() => null);
      const step = stepOf(row?.status ?? null, row?.phase ?? null, row?.phaseDetail ?? null);
      const now = Date.now();
      const rss = residentMb(workerPid);
      // A span ends at the first sample that shows something else.
      if (current && current.step !== step) {
        current.toMs = now;
        current = null;
      }
      if (step && !current) {
        current = { step, fromMs: now, toMs: now, workerPeakRssMb: rss };
        spans.push(current);
      } else if (current) {
        current.toMs = now;
        if (rss !== null) current.workerPeakRssMb = Math.max(current.workerPeakRssMb ?? 0, rss);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return spans;
    },
  };
}

function stepOf(status: string | null, phase: string | null, detail: string | null): FinishStep | null {
  if (status === "setup") return "setup";
  if (status === "initial_load" && phase === null) return "copy";
  if (phase === "primary_keys") return "primary keys";
  if (phase === "sequences") return "sequences";
  if (phase === "analyze") return "analyze";
  if (phase !== "post_data") return null;
  if (detail?.startsWith("building indexes")) return "index builds";
  if (detail?.startsWith("building constraints") || detail?.startsWith("building foreign keys")) return "constraint builds";
  return "other post-data";
}

/** Seconds per step (a step seen twice adds up), in order of first appearance. */
export function stepSeconds(spans: PhaseSpan[]): { step: FinishStep; seconds: number; workerPeakRssMb: number | null }[] {
  const out: { step: FinishStep; seconds: number; workerPeakRssMb: number | null }[] = [];
  for (const span of spans) {
    const seen = out.find((s) => s.step === span.step);
    const secs = (span.toMs - span.fromMs) / 1000;
    if (seen) {
      seen.seconds += secs;
      seen.workerPeakRssMb = Math.max(seen.workerPeakRssMb ?? 0, span.workerPeakRssMb ?? 0) || null;
    } else out.push({ step: span.step, seconds: secs, workerPeakRssMb: span.workerPeakRssMb });
  }
  return out;
}
