/**
 * Resolves after `ms`, or at once when `signal` fires. Never rejects: a loop that sleeps between
 * steps checks `signal.aborted` itself and ends cleanly instead of unwinding through a catch.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
