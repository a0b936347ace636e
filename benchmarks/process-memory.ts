import { readFileSync } from "node:fs";

/** Resident memory of a process in MB, from /proc/<pid>/status (VmRSS); null where /proc is missing. */
export function residentMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/**
 * Samples a process's resident memory every 200 ms until stopped and returns the peak: the
 * worker's memory per phase (VmHWM would give only the peak of the whole process life).
 */
export function watchPeakRss(pid: number | undefined): { stop(): number | null } {
  let peak = residentMb(pid);
  const timer = setInterval(() => {
    const now = residentMb(pid);
    if (now !== null) peak = Math.max(peak ?? 0, now);
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
