import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { ALERT_LABELS, type AlertKind } from "@/lib/alerts/kinds";
import type { AlertSettings } from "@/lib/alerts/settings";
import { alertPayload, deliverAlert } from "@/lib/alerts/webhook";
import { readAlertSettings } from "@/lib/catalog/alert-settings";
import { claimAlert, claimResolved, firingAlerts, slotIdleSince } from "@/lib/catalog/alert-states";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { recordMirrorEvent } from "@/lib/catalog/mirror-events";
import type { Logger } from "@/lib/log/logger";

/**
 * Looks at the mirrors this worker just sampled and sends the alerts that started or stopped
 * holding (lib/alerts/evaluate.ts says which hold). Every alert sent, or given up on, is written to
 * the mirror's Logs tab. A pass still delivering (a slow webhook) makes the next one skip: the
 * catalog keeps the state, so a mirror skipped now is looked at again within seconds.
 */
export function createAlertEvaluator(catalog: PrismaClient, logger: Logger) {
  let busy: Promise<void> | null = null;
  const run = async (mirrorIds: string[]) => {
    const settings = await readAlertSettings(catalog);
    if (!settings.webhookUrl) return;
    for (const id of mirrorIds) {
      try {
        await evaluateMirror(catalog, settings, id);
      } catch (error) {
        logger.warn("alert evaluation failed", { mirrorId: id, error });
      }
    }
  };
  return {
    /** Starts evaluating in the background unless a previous evaluation is still running. */
    evaluate(mirrorIds: string[]): void {
      if (busy || mirrorIds.length === 0) return;
      busy = run(mirrorIds)
        .catch((error: unknown) => logger.warn("alert evaluation failed", { error }))
        .finally(() => (busy = null));
    },
    async idle(): Promise<void> {
      await busy;
    },
  };
}

async function evaluateMirror(catalog: PrismaClient, settings: AlertSettings, mirrorId: string): Promise<void> {
  const m = await catalog.mirror.findUnique({ where: { id: mirrorId } });
  if (!m || m.status === "deleting") return;
  const slot = m.slotStatus as { active?: boolean; missing?: boolean } | null;
  const idle = settings.slotInactiveMinutes !== undefined && slot?.active === false;
  const holding = evaluateAlerts(
    {
      name: m.name,
      status: m.status,
      mode: m.mode,
      slotName: m.slotName,
      errorMessage: m.errorMessage,
      lagBytes: m.lagBytes === null ? null : Number(m.lagBytes),
      lagSeconds: m.lagSeconds,
      retainedBytes: m.retainedBytes === null ? null : Number(m.retainedBytes),
      slotInactiveSince: idle ? await slotIdleSince(catalog, m.id) : null,
    },
    settings,
  );
  for (const [kind, cause] of holding) {
    if (await claimAlert(catalog, m.id, kind, cause)) await send(catalog, settings, m, kind, cause);
  }
  for (const kind of await firingAlerts(catalog, m.id)) {
    if (holding.has(kind)) continue;
    if (await claimResolved(catalog, m.id, kind)) await send(catalog, settings, m, "resolved", `The ${ALERT_LABELS[kind]} alert no longer holds: the mirror is ${m.status}.`, kind);
  }
}

async function send(
  catalog: PrismaClient,
  settings: AlertSettings,
  mirror: { id: string; name: string; status: string },
  event: AlertKind | "resolved",
  cause: string,
  resolved?: AlertKind,
): Promise<void> {
  const delivery = await deliverAlert(settings.webhookUrl, alertPayload(event, mirror.name, mirror.status, cause, resolved));
  const what = event === "resolved" ? `resolved (${ALERT_LABELS[resolved as AlertKind]})` : ALERT_LABELS[event];
  if (delivery.ok) {
    await recordMirrorEvent(catalog, mirror.id, event === "resolved" ? "info" : "warn", `Alert sent to the webhook: ${what}. ${cause}`, { alert: event, resolved });
  } else {
    await recordMirrorEvent(catalog, mirror.id, "error", `Alert ${what} could not be delivered: ${delivery.reason} (${delivery.attempts} attempts).`, { alert: event, resolved, delivered: false });
  }
}
