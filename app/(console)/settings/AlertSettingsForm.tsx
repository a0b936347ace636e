"use client";

import { type ChangeEvent, type FormEvent, useState } from "react";
import { type AlertSettings, alertSettingsSchema } from "@/lib/alerts/settings";
import { sendJson } from "@/components/send-json";

type Values = { webhookUrl: string; lagSeconds: string; retainedWalMegabytes: string; slotInactiveMinutes: string };
type ApiError = { error?: { message?: string; fields?: Record<string, string> } };

const MB = 1024 * 1024;

/**
 * The webhook and thresholds (PUT /api/v1/alerts), checked in the browser with the server's zod
 * schema, and a button that sends a test alert (POST /api/v1/alerts/test) to what is typed.
 * Retained WAL is entered in MB; the API takes bytes.
 */
export function AlertSettingsForm({ initial }: { initial: AlertSettings }) {
  const [values, setValues] = useState<Values>({
    webhookUrl: initial.webhookUrl,
    lagSeconds: initial.lagSeconds?.toString() ?? "",
    retainedWalMegabytes: initial.retainedWalBytes ? String(initial.retainedWalBytes / MB) : "",
    slotInactiveMinutes: initial.slotInactiveMinutes?.toString() ?? "",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState<"saving" | "testing" | null>(null);

  const set = (field: keyof Values) => (event: ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [field]: event.target.value }));
    setErrors({});
    setNotice(null);
  };

  function body(): Record<string, unknown> {
    const number = (text: string) => (text.trim() === "" ? undefined : Number(text));
    const megabytes = number(values.retainedWalMegabytes);
    return {
      webhookUrl: values.webhookUrl,
      lagSeconds: number(values.lagSeconds),
      retainedWalBytes: megabytes === undefined ? undefined : Math.round(megabytes * MB),
      slotInactiveMinutes: number(values.slotInactiveMinutes),
    };
  }

  async function request(path: string, method: "PUT" | "POST", payload: unknown): Promise<boolean> {
    const response = await sendJson(path, method, payload);
    if (response.ok) return true;
    const failure = ((await response.json().catch(() => ({}))) as ApiError).error;
    const fields = failure?.fields ?? {};
    if (fields.retainedWalBytes) fields.retainedWalMegabytes = fields.retainedWalBytes;
    setErrors(fields);
    setNotice({ ok: false, text: failure?.message ?? `The server answered ${response.status}.` });
    return false;
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    const parsed = alertSettingsSchema.safeParse(body());
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[issue.path[0] === "retainedWalBytes" ? "retainedWalMegabytes" : String(issue.path[0])] ??= issue.message;
      setErrors(fields);
      setNotice({ ok: false, text: "Some fields need attention." });
      return;
    }
    setBusy("saving");
    try {
      if (await request("/api/v1/alerts", "PUT", parsed.data)) setNotice({ ok: true, text: parsed.data.webhookUrl ? "Saved. Alerts go to this webhook." : "Saved. Alerts are off." });
    } finally {
      setBusy(null);
    }
  }

  async function test() {
    setBusy("testing");
    try {
      if (await request("/api/v1/alerts/test", "POST", { webhookUrl: values.webhookUrl })) setNotice({ ok: true, text: "Test alert delivered." });
    } finally {
      setBusy(null);
    }
  }

  const field = (id: keyof Values, label: string, help: string, props: Record<string, string> = {}) => (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        value={values[id]}
        onChange={set(id)}
        autoComplete="off"
        aria-invalid={errors[id] ? true : undefined}
        aria-describedby={`${id}-help`}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm ${errors[id] ? "border-red-500" : "border-slate-300"}`}
        {...props}
      />
      <p id={`${id}-help`} className={`mt-1 text-xs ${errors[id] ? "text-red-700" : "text-slate-500"}`}>
        {errors[id] ?? help}
      </p>
    </div>
  );

  return (
    <form onSubmit={save} noValidate className="max-w-2xl space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="text-lg font-semibold">Alerts</h2>
      {field("webhookUrl", "Webhook URL", "Alerts are POSTed here as JSON with a Slack-compatible text field. Leave empty to turn alerts off.", {
        placeholder: "https://hooks.slack.com/services/…",
        type: "url",
      })}
      <p className="text-sm text-slate-600">A mirror that fails always alerts. Leave a threshold empty to turn that alert off.</p>
      <div className="grid gap-4 sm:grid-cols-3">
        {field("lagSeconds", "Lag above (seconds)", "lag_high", { inputMode: "decimal" })}
        {field("retainedWalMegabytes", "Retained WAL above (MB)", "wal_retained_high", { inputMode: "decimal" })}
        {field("slotInactiveMinutes", "Slot unread for (minutes)", "slot_inactive", { inputMode: "decimal" })}
      </div>
      <p className="text-xs text-slate-500">At most one alert per kind per mirror every 15 minutes, and a “resolved” when it clears. Each alert sent appears in the mirror’s Logs tab.</p>
      {notice && (
        <p role={notice.ok ? "status" : "alert"} className={`text-sm ${notice.ok ? "text-emerald-700" : "text-red-700"}`}>
          {notice.text}
        </p>
      )}
      <div className="flex gap-3">
        <button type="submit" disabled={busy !== null} className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50">
          {busy === "saving" ? "Saving…" : "Save"}
        </button>
        <button
          type="button"
          onClick={test}
          disabled={busy !== null || values.webhookUrl.trim() === ""}
          className="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50"
        >
          {busy === "testing" ? "Sending…" : "Send test alert"}
        </button>
      </div>
    </form>
  );
}
