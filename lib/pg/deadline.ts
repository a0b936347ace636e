/**
 * Deadlines for talking to peers. A deadline is an absolute time (Date.now() milliseconds) so that
 * several steps (DNS, TCP, TLS, sign-in, queries) share one budget instead of each getting its own.
 */

export class DeadlineExceededError extends Error {
  constructor(readonly step: string) {
    super(`deadline exceeded while ${step}`);
    this.name = "DeadlineExceededError";
  }
}

export function deadlineIn(ms: number): number {
  return Date.now() + ms;
}

export function msLeft(deadline: number): number {
  return Math.max(0, deadline - Date.now());
}

/**
 * Resolves like `work`, or rejects with DeadlineExceededError at the deadline after calling
 * `onTimeout` (which should abort the work, e.g. by closing the connection it runs on).
 */
export async function beforeDeadline<T>(
  work: Promise<T>,
  deadline: number,
  step: string,
  onTimeout: () => void = () => {},
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new DeadlineExceededError(step));
    }, msLeft(deadline));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
