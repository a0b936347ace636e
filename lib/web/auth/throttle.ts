/**
 * Brakes on password guessing, shared by the bearer-token path (proxy.ts) and the sign-in endpoint:
 * failures are counted per client address and in total over a sliding minute, and past the limit
 * an attempt is answered 429 before any password is checked. Hashing a candidate with scrypt costs
 * tens of milliseconds and 32 MiB on Node's small thread pool, so at most MAX_CONCURRENT_HASHES run
 * at once and the rest queue, whatever arrives in parallel.
 *
 * The state lives on globalThis: Next.js may load proxy.ts and the route handlers as separate module
 * instances in one process, and both must see the same counts.
 */

/** The sliding window failures are counted in. Default: 1 minute. */
export const FAILURE_WINDOW_MS = 60_000;
/** Failed attempts one client may make per window before it gets 429. Default: 10. */
export const MAX_FAILURES_PER_CLIENT = 10;
/** Failed attempts all clients together may make per window before everyone gets 429. Default: 100. */
export const MAX_FAILURES_TOTAL = 100;
/** Password hashes computed at the same time. Default: 2. */
export const MAX_CONCURRENT_HASHES = 2;

interface ThrottleState {
  failures: Map<string, number[]>;
  total: number[];
  hashesRunning: number;
  hashQueue: Array<() => void>;
}

const key = Symbol.for("pgferry.auth.throttle");
const holder = globalThis as typeof globalThis & { [key]?: ThrottleState };

function state(): ThrottleState {
  holder[key] ??= { failures: new Map(), total: [], hashesRunning: 0, hashQueue: [] };
  return holder[key];
}

function recent(times: number[], now: number): number[] {
  const since = now - FAILURE_WINDOW_MS;
  let first = 0;
  while (first < times.length && times[first] <= since) first++;
  return first === 0 ? times : times.slice(first);
}

/**
 * Seconds the client must wait before its next attempt, or null when it may try now. Call before
 * checking a password; answer 429 with `Retry-After` when it returns a number.
 */
export function retryAfterSeconds(client: string, now = Date.now()): number | null {
  const s = state();
  s.total = recent(s.total, now);
  const own = recent(s.failures.get(client) ?? [], now);
  if (own.length === 0) s.failures.delete(client);
  else s.failures.set(client, own);
  const blocking = own.length >= MAX_FAILURES_PER_CLIENT ? own : s.total.length >= MAX_FAILURES_TOTAL ? s.total : null;
  if (!blocking) return null;
  // The window frees a slot when the oldest counted failure leaves it.
  const oldest = blocking[blocking.length - (blocking === own ? MAX_FAILURES_PER_CLIENT : MAX_FAILURES_TOTAL)];
  return Math.max(1, Math.ceil((oldest + FAILURE_WINDOW_MS - now) / 1000));
}

/**
 * Starts a password attempt: returns the seconds to wait (answer 429, check nothing), or null after
 * counting the attempt as a failure up front — so that parallel attempts see each other at once
 * instead of all passing the check before the first one fails. Call attemptSucceeded when the
 * password was right.
 */
export function beginAttempt(client: string, now = Date.now()): number | null {
  const wait = retryAfterSeconds(client, now);
  if (wait === null) recordFailure(client, now);
  return wait;
}

/** Takes back the failure beginAttempt counted for `client` (its most recent one). */
export function attemptSucceeded(client: string): void {
  const s = state();
  const own = s.failures.get(client);
  const at = own?.pop();
  if (at === undefined) return;
  const index = s.total.lastIndexOf(at);
  if (index >= 0) s.total.splice(index, 1);
}

/** Counts one failed password attempt of `client`. */
export function recordFailure(client: string, now = Date.now()): void {
  const s = state();
  const own = s.failures.get(client) ?? [];
  own.push(now);
  s.failures.set(client, own);
  s.total.push(now);
  // Bounded memory whatever the number of addresses: forget clients whose failures have expired.
  if (s.failures.size > 10_000) {
    for (const [address, times] of s.failures) if (recent(times, now).length === 0) s.failures.delete(address);
  }
}

/** Runs `hash` when fewer than MAX_CONCURRENT_HASHES hashes are running; otherwise waits its turn. */
export async function withHashSlot<T>(hash: () => Promise<T>): Promise<T> {
  const s = state();
  if (s.hashesRunning >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => s.hashQueue.push(resolve));
  else s.hashesRunning++;
  try {
    return await hash();
  } finally {
    const next = s.hashQueue.shift();
    // The slot passes straight to the next waiter, so the running count never overshoots.
    if (next) next();
    else s.hashesRunning--;
  }
}

/** For tests: forget every counted failure. */
export function resetThrottle(): void {
  const s = state();
  s.failures.clear();
  s.total = [];
}
