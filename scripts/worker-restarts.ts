import type { ChildProcess } from "node:child_process";
import type { Logger } from "@/lib/log/logger";

/**
 * Keeps one worker process running for the launcher: when it exits while pgferry is not stopping
 * (a crash, an out-of-memory kill, `kill -9`), a new one is started after a backoff, and a log line
 * says so. The backoff (1 s doubling to 30 s) keeps a worker that dies at start — a catalog that is
 * down, a broken install — from spinning; a worker that ran a minute counts as healthy again.
 */
export interface RestartPolicy {
  /** Default: 1 s. */
  firstDelayMs: number;
  /** Default: 30 s. */
  maxDelayMs: number;
  /** A worker that ran this long resets the backoff. Default: 60 s. */
  healthyAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { firstDelayMs: 1_000, maxDelayMs: 30_000, healthyAfterMs: 60_000 };

/** The wait before the next start, given the previous wait and how long the worker ran. Pure. */
export function nextRestartDelay(previousDelayMs: number | null, ranForMs: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number {
  if (previousDelayMs === null || ranForMs >= policy.healthyAfterMs) return policy.firstDelayMs;
  return Math.min(previousDelayMs * 2, policy.maxDelayMs);
}

export function keepWorkerRunning(start: () => ChildProcess, stopping: () => boolean, log: Logger, policy = DEFAULT_RESTART_POLICY): void {
  let delay: number | null = null;
  const launch = () => {
    if (stopping()) return;
    const startedAt = Date.now();
    const child = start();
    child.once("exit", (code, signal) => {
      if (stopping()) return;
      delay = nextRestartDelay(delay, Date.now() - startedAt, policy);
      log.warn(`a worker exited (${signal ?? `code ${code}`}); starting a new one in ${delay / 1000} s`, { pid: child.pid });
      setTimeout(launch, delay).unref();
    });
  };
  launch();
}
