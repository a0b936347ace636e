"use client";

import { type ReactNode, useState } from "react";
import { apiErrorMessage } from "@/components/api-error";
import { ConfirmDialog } from "@/components/ConfirmDialog";

/**
 * A small button in a table row that asks first and then sends one write (Remove, Resync). The dialog
 * closes on success; the page's polling shows the effect. A refusal is shown in the dialog.
 */
export function ConfirmedTableAction({
  label,
  ariaLabel,
  testId,
  buttonClassName,
  title,
  confirmLabel,
  danger,
  send,
  children,
}: {
  label: string;
  ariaLabel?: string;
  testId: string;
  buttonClassName: string;
  title: string;
  confirmLabel: string;
  danger?: boolean;
  send: () => Promise<Response>;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      const response = await send();
      if (response.ok) setOpen(false);
      else setError(await apiErrorMessage(response));
    } catch {
      setError("pgferry could not be reached.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className={`rounded-md border px-2 py-0.5 text-xs font-medium ${buttonClassName}`} onClick={() => setOpen(true)} aria-label={ariaLabel} data-testid={testId}>
        {label}
      </button>
      {/* Mounted only while asked: one dialog per table row would bloat a long table (and its text). */}
      {open && (
        <ConfirmDialog open title={title} confirmLabel={confirmLabel} danger={danger} busy={busy} error={error} onConfirm={confirm} onCancel={() => setOpen(false)}>
          {children}
        </ConfirmDialog>
      )}
    </>
  );
}
