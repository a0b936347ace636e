import type { PrismaClient } from "@/lib/catalog/generated/client";
import type { PostDataProgress } from "@/workers/schema/post-data";

/** Shortest interval between two progress writes of one phase. Default: 1 s. */
const WRITE_INTERVAL_MS = 1_000;

/** The phase in words, for the Initial load tab: "building indexes: 7/12, orders_customer_idx 64 %". Pure. */
export function describePhase(phase: "primary_keys" | "post_data" | "sequences" | "analyze", progress?: PostDataProgress): string {
  if (phase === "primary_keys") return "building primary keys";
  if (phase === "sequences") return "syncing sequences";
  if (phase === "analyze") return "analyzing tables";
  if (!progress) return "reading the source's indexes, constraints and views";
  const step = progress.step ? `building ${progress.step}` : "building indexes, constraints and views";
  const current = progress.current ? `, ${progress.current.name}${progress.current.percent === null ? "" : ` ${progress.current.percent} %`}` : "";
  return `${step}: ${progress.done}/${progress.total}${current}`;
}

/**
 * Records a mirror's phase (mirrors.phase / phase_detail) for the UI, at most once a second except
 * when the phase itself changes. Writes are fire-and-forget: progress must never fail the build.
 */
export function phaseRecorder(catalog: PrismaClient, mirrorId: string) {
  let lastPhase: string | null = null;
  let lastWrite = 0;
  let pending: Promise<unknown> = Promise.resolve();
  return {
    update(phase: "primary_keys" | "post_data" | "sequences" | "analyze", progress?: PostDataProgress) {
      const now = Date.now();
      if (phase === lastPhase && now - lastWrite < WRITE_INTERVAL_MS) return;
      lastPhase = phase;
      lastWrite = now;
      const phaseDetail = describePhase(phase, progress);
      pending = pending.then(() => catalog.mirror.update({ where: { id: mirrorId }, data: { phase, phaseDetail } }).catch(() => {}));
    },
    async clear() {
      await pending;
      await catalog.mirror.update({ where: { id: mirrorId }, data: { phase: null, phaseDetail: null } }).catch(() => {});
    },
  };
}
