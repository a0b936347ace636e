"use client";

import { useRouter } from "next/navigation";
import { type ChangeEvent, type FormEvent, useState } from "react";
import { fieldErrors } from "@/lib/errors/field-errors";
import { DEFAULT_PORT, DEFAULT_TLS_MODE, peerCreateSchema, TLS_MODES } from "@/lib/peers/input";
import type { PeerValidation } from "@/lib/web/peers/validate";
import type { PeerView } from "@/lib/web/peers/view";
import { ErrorNote } from "@/components/ErrorNote";
import { FormField } from "@/components/FormField";
import { FormFooter } from "@/components/FormFooter";
import { sendJson } from "@/components/send-json";
import { checksWithoutRepeats, onceAtField, peerFieldErrors, useLiveFieldErrors } from "./live-errors";
import { ValidationResults, validationSummary } from "./ValidationResults";

type Values = {
  name: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  tlsMode: (typeof TLS_MODES)[number];
  caCert: string;
  allowCleartextPassword: boolean;
};

const TLS_HELP: Record<Values["tlsMode"], string> = {
  disable: "Never encrypt.",
  prefer: "Encrypt when the server offers TLS, otherwise connect without it.",
  require: "Always encrypt, without checking the server's certificate.",
  "verify-ca": "Encrypt and check that your CA signed the server's certificate (not the host name).",
  "verify-full": "Encrypt and check the server's certificate and host name, against your CA or this machine's trusted CAs.",
};

/** The modes that check the server's certificate, and so can use a CA certificate. */
const VERIFYING = new Set<Values["tlsMode"]>(["verify-ca", "verify-full"]);

/** The fields a stored password is bound to: changing one needs the password again. */
const PASSWORD_BOUND_TO = ["host", "port", "user", "database"] as const;

type TextField = Exclude<keyof Values, "allowCleartextPassword">;

type ApiError = { error?: { code?: string; message?: string; fields?: Record<string, string> } };

/**
 * Create or edit a peer. The browser checks the fields with the same zod schema as the server
 * (lib/peers/input.ts), then the server validates against the real PostgreSQL before saving.
 * In edit mode the password starts empty: leaving it empty keeps the stored one.
 */
export function PeerForm({ peer }: { peer?: PeerView }) {
  const router = useRouter();
  const editing = peer !== undefined;
  const [values, setValues] = useState<Values>({
    name: peer?.name ?? "",
    host: peer?.host ?? "",
    port: String(peer?.port ?? DEFAULT_PORT),
    database: peer?.database ?? "",
    user: peer?.user ?? "",
    password: "",
    tlsMode: peer?.tlsMode ?? DEFAULT_TLS_MODE,
    caCert: peer?.caCert ?? "",
    allowCleartextPassword: peer?.allowCleartextPassword ?? false,
  });
  const [serverErrors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [validation, setValidation] = useState<PeerValidation | null>(null);
  const [busy, setBusy] = useState<"validating" | "saving" | null>(null);
  // Fields are checked as the user types; what Save or Validate found wins over the live check.
  const liveErrors = useLiveFieldErrors(values, peerFieldErrors);
  const errors: Record<string, string> = { ...liveErrors, ...serverErrors };

  const set = (field: keyof Values) => (event: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
    setValues((v) => ({ ...v, [field]: event.target.value }));
    setErrors(({ [field]: _cleared, ...rest }) => rest);
  };

  /** What every text field, select and text area of the form shares: its value, its change handler, its style and its error. */
  const bind = (field: TextField) => ({ id: field, value: values[field], onChange: set(field), className: input(errors[field]), ...describedBy(field, errors[field]) });

  const toggle = (field: "allowCleartextPassword") => (event: ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [field]: event.target.checked }));
    setErrors(({ [field]: _cleared, password: _password, ...rest }) => rest);
  };

  // The server refuses to send a stored password anywhere else; say so before it has to.
  const needsPassword =
    editing &&
    values.password === "" &&
    (PASSWORD_BOUND_TO.some((field) => values[field] !== String(peer[field])) || (values.allowCleartextPassword && !peer.allowCleartextPassword));
  const passwordHint = !editing
    ? "Stored encrypted; never shown again."
    : needsPassword
      ? "Enter the password again: a stored password is only sent to the server it was saved for."
      : "Leave empty to keep the stored password.";

  async function loadCaFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    const text = await file.text();
    setValues((v) => ({ ...v, caCert: text }));
    setErrors(({ caCert: _cleared, ...rest }) => rest);
  }

  /** The same schema as the server; an empty password is valid (in edit mode it keeps the stored one). */
  function checkLocally(): boolean {
    const body = payload();
    const parsed = peerCreateSchema.safeParse(body);
    if (parsed.success) return true;
    setErrors(fieldErrors(parsed.error));
    setFormError("Some fields need attention.");
    return false;
  }

  function payload() {
    // A CA certificate only matters for verify-ca and verify-full; switching away from them clears it.
    return { ...values, caCert: VERIFYING.has(values.tlsMode) ? values.caCert : "" };
  }

  async function send(url: string, method: "POST" | "PATCH", body: unknown): Promise<{ status: number; json: unknown } | null> {
    const response = await sendJson(url, method, body).catch(() => null);
    if (!response) {
      setFormError("Could not reach pgferry. Is it running?");
      return null;
    }
    if (response.status === 401) {
      router.replace(`/login?next=${encodeURIComponent(window.location.pathname)}`);
      return null;
    }
    return { status: response.status, json: await response.json().catch(() => ({})) };
  }

  function showError(json: unknown) {
    const error = (json as ApiError).error;
    // A message that belongs to fields is shown there, once, not again in a banner.
    setErrors(onceAtField(error?.fields ?? {}));
    setFormError(error?.fields ? null : (error?.message ?? "Something went wrong."));
  }

  async function validate() {
    setFormError(null);
    setValidation(null);
    if (!checkLocally()) return;
    setBusy("validating");
    try {
      const url = editing ? `/api/v1/peers/${encodeURIComponent(peer.name)}/validate` : "/api/v1/peers/validate";
      const answer = await send(url, "POST", payload());
      if (!answer) return;
      if (answer.status !== 200) return showError(answer.json);
      const result = answer.json as PeerValidation;
      setValidation(result);
      setErrors(onceAtField(result.error?.fields ?? {}));
    } finally {
      setBusy(null);
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    if (!checkLocally()) return;
    setBusy("saving");
    try {
      const answer = editing
        ? await send(`/api/v1/peers/${encodeURIComponent(peer.name)}`, "PATCH", payload())
        : await send("/api/v1/peers", "POST", payload());
      if (!answer) return;
      if (answer.status !== 200 && answer.status !== 201) return showError(answer.json);
      const saved = answer.json as { peer: PeerView };
      router.push(`/peers/${encodeURIComponent(saved.peer.name)}`);
      router.refresh();
    } finally {
      setBusy(null);
    }
  }

  return (
    <form onSubmit={save} noValidate className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
      <div className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
        <FormField id="name" label="Name" error={errors.name} hint="Lowercase letters, digits and underscores, e.g. prod_orders.">
          <input {...bind("name")} autoComplete="off" />
        </FormField>
        <div className="grid grid-cols-[minmax(0,1fr)_7rem] gap-3">
          <FormField id="host" label="Host" error={errors.host}>
            <input {...bind("host")} placeholder="db.example.com" autoComplete="off" />
          </FormField>
          <FormField id="port" label="Port" error={errors.port}>
            <input {...bind("port")} inputMode="numeric" />
          </FormField>
        </div>
        <FormField id="database" label="Database" error={errors.database}>
          <input {...bind("database")} autoComplete="off" />
        </FormField>
        {/* A warning, not an error: saving stays allowed (e.g. a second user for the same database). */}
        {validation?.warnings?.map((warning) => (
          <p key={warning.code} role="note" data-testid={warning.code} className="-mt-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800 [overflow-wrap:anywhere]">
            <span className="font-medium">Warning: </span>
            {warning.message} {warning.fix}
          </p>
        ))}
        <div className="grid grid-cols-2 gap-3">
          <FormField id="user" label="User" error={errors.user}>
            <input {...bind("user")} autoComplete="off" />
          </FormField>
          <FormField id="password" label="Password" error={errors.password} hint={passwordHint}>
            <input {...bind("password")} type="password" autoComplete="new-password" placeholder={editing ? "unchanged" : ""} />
          </FormField>
        </div>
        <FormField id="tlsMode" label="TLS mode" error={errors.tlsMode} hint={TLS_HELP[values.tlsMode]}>
          <select {...bind("tlsMode")}>
            {TLS_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {mode}
              </option>
            ))}
          </select>
        </FormField>
        {VERIFYING.has(values.tlsMode) && (
          <FormField
            id="caCert"
            label="CA certificate (PEM)"
            error={errors.caCert}
            hint={
              values.tlsMode === "verify-full"
                ? "The certificate of the authority that signed the server's certificate. Leave empty to trust this machine's CAs."
                : "The certificate of the authority that signed the server's certificate."
            }
          >
            <textarea
              {...bind("caCert")}
              rows={6}
              placeholder={"-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----"}
              className={`${input(errors.caCert)} font-mono text-xs`}
            />
            <label className="mt-2 inline-flex cursor-pointer items-center gap-2 text-sm text-sky-700 hover:text-sky-900">
              <input type="file" accept=".pem,.crt,.cer,text/plain" onChange={loadCaFile} className="sr-only" aria-label="Load the CA certificate from a file" />
              Load from a file…
            </label>
          </FormField>
        )}

        <div>
          <label className="inline-flex items-start gap-2 text-sm text-slate-800">
            <input
              id="allowCleartextPassword"
              type="checkbox"
              checked={values.allowCleartextPassword}
              onChange={toggle("allowCleartextPassword")}
              className="mt-0.5"
              {...describedBy("allowCleartextPassword", errors.allowCleartextPassword)}
            />
            <span>Allow clear-text sign-in without TLS</span>
          </label>
          {errors.allowCleartextPassword ? (
            <p id="allowCleartextPassword-error" className="mt-1 text-sm text-red-700">
              {errors.allowCleartextPassword}
            </p>
          ) : values.allowCleartextPassword ? (
            <p role="note" className="mt-1 rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-800">
              Warning: a server set to password authentication then receives the password readable by anyone on the network
              path, and by anyone who can pose as the server. Use only on a network you trust; prefer TLS or scram-sha-256.
            </p>
          ) : (
            <p className="mt-1 text-xs text-slate-500">Off: pgferry refuses to send the password unencrypted, even when the server asks for it.</p>
          )}
        </div>

        <ErrorNote message={formError} />
        <FormFooter
          submitLabel={busy === "saving" ? "Validating and saving…" : editing ? "Save changes" : "Save"}
          disabled={busy !== null}
          cancelHref={editing ? `/peers/${encodeURIComponent(peer.name)}` : "/peers"}
          className="pt-2"
          cancelClassName="ml-auto"
        >
          <button
            type="button"
            onClick={validate}
            disabled={busy !== null}
            className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
          >
            {busy === "validating" ? "Validating…" : "Validate"}
          </button>
        </FormFooter>
      </div>

      <section aria-labelledby="validation-heading" className="rounded-lg border border-slate-200 bg-white p-6">
        <h2 id="validation-heading" className="mb-2 text-base font-semibold">
          Validation
        </h2>
        {validation ? (
          <ValidationResults checks={checksWithoutRepeats(validation.checks, errors)} summary={validationSummary(validation)} />
        ) : (
          <p className="text-sm text-slate-600">
            Validate checks that pgferry can reach the server and sign in, the PostgreSQL version, and what continuous replication needs:
            wal_level = logical, the REPLICATION privilege, and free replication slots and WAL senders. Saving validates too; a peer is
            refused only when pgferry cannot connect at all.
          </p>
        )}
      </section>
    </form>
  );
}

function describedBy(id: string, error?: string) {
  // An empty message marks a field that shares a message shown under another one (onceAtField).
  return error ? { "aria-invalid": true, "aria-describedby": `${id}-error` } : error === "" ? { "aria-invalid": true } : {};
}

function input(error?: string): string {
  const ring = error !== undefined ? "border-red-400 focus:border-red-500 focus:ring-red-500" : "border-slate-300 focus:border-sky-500 focus:ring-sky-500";
  return `block w-full rounded-md border bg-white px-3 py-2 text-sm focus:outline-none focus:ring-1 ${ring}`;
}
