import { lsnDistance, parseLsn } from "@/lib/pg/lsn";

/**
 * True lag of a mirror, from what the source says: the bytes of WAL written on the source that the
 * target has not applied. Applied is the later of the slot's confirmed position (the consumer
 * confirms only what it applied) and the last position the CDC stream reported applying (it may run
 * ahead of the confirmation by a keepalive). With nothing streaming the slot's position is all there
 * is, which is why a paused or failed mirror shows its real distance instead of the last figure the
 * stream wrote. Pure.
 */
export interface LagInputs {
  sourceLsn: string;
  confirmedFlushLsn: string | null;
  lastAppliedLsn: string | null;
}

export interface MeasuredLag {
  appliedLsn: string | null;
  lagBytes: bigint;
}

export function measureLag({ sourceLsn, confirmedFlushLsn, lastAppliedLsn }: LagInputs): MeasuredLag {
  const known = [confirmedFlushLsn, lastAppliedLsn].filter((l): l is string => l !== null);
  if (known.length === 0) return { appliedLsn: null, lagBytes: 0n };
  const applied = known.reduce((a, b) => (parseLsn(b) > parseLsn(a) ? b : a));
  return { appliedLsn: applied, lagBytes: lsnDistance(parseLsn(sourceLsn), parseLsn(applied)) };
}

/** Seconds since the oldest unapplied change was first seen; 0 when nothing waits. Pure. */
export function lagSecondsFrom(lagBytes: bigint, waitingSince: Date | null, now = Date.now()): number {
  if (lagBytes === 0n || waitingSince === null) return 0;
  return Math.max(0, (now - waitingSince.getTime()) / 1000);
}
