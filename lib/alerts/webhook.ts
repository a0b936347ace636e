import { sleep } from "@/lib/sleep";
import type { AlertEvent } from "./kinds";

/** The JSON body POSTed to the webhook. `text` makes it readable in Slack (and Mattermost, Rocket.Chat) as is. */
export interface AlertPayload {
  text: string;
  event: AlertEvent;
  /** For `resolved`: the alert that stopped holding. */
  resolved?: string;
  mirror: string | null;
  cause: string;
  status: string | null;
  at: string;
}

export function alertPayload(event: AlertEvent, mirror: string | null, status: string | null, cause: string, resolved?: string): AlertPayload {
  const headline =
    event === "test"
      ? "pgferry test alert: the webhook works."
      : event === "resolved"
        ? `pgferry: resolved on mirror "${mirror}": ${resolved?.replaceAll("_", " ")}.`
        : `pgferry: ${event.replaceAll("_", " ")} on mirror "${mirror}".`;
  return { text: `${headline} ${cause}`.trim(), event, ...(resolved ? { resolved } : {}), mirror, cause, status, at: new Date().toISOString() };
}

/** Delivery attempts and the waits between them. Default: 3 attempts, 1 s then 3 s apart. */
const RETRY_DELAYS_MS = [1_000, 3_000];
/** One attempt's budget. Default: 5 s. */
const ATTEMPT_TIMEOUT_MS = 5_000;

export type Delivery = { ok: true; attempts: number } | { ok: false; attempts: number; reason: string };

/**
 * POSTs the payload, retrying network errors, 429 and 5xx with backoff; any other answer is final.
 * Never throws, and never puts the URL (often a secret token) in the reason.
 */
export async function deliverAlert(url: string, payload: AlertPayload, retryDelaysMs = RETRY_DELAYS_MS): Promise<Delivery> {
  let reason = "";
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "pgferry-alerts" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        redirect: "error",
      });
      await response.body?.cancel().catch(() => {});
      if (response.ok) return { ok: true, attempts: attempt };
      reason = `the webhook answered HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) return { ok: false, attempts: attempt, reason };
    } catch (error) {
      reason = (error as Error).name === "TimeoutError" ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s` : "the webhook could not be reached";
    }
    const delay = retryDelaysMs[attempt - 1];
    if (delay === undefined) return { ok: false, attempts: attempt, reason };
    await sleep(delay);
  }
}
