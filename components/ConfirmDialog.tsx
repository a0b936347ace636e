"use client";

import { type ReactNode, useId } from "react";
import { ErrorNote } from "./ErrorNote";
import { Modal } from "./Modal";

/**
 * A modal confirmation (Modal: the native <dialog>, Escape cancels unless busy). Controlled: the
 * caller owns `open`; closed, nothing is rendered.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = "Cancel",
  danger = false,
  busy = false,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
  busy?: boolean;
  /** Shown inside the dialog, e.g. when the confirmed action failed. */
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  // Unique per dialog: a page may hold several, and each must be named by its own title.
  const titleId = useId();
  if (!open) return null;

  return (
    <Modal labelledBy={titleId} busy={busy} onCancel={onCancel} className="w-full max-w-md">
      <div className="p-6">
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        {children && <div className="mt-3 space-y-2 text-sm text-slate-600">{children}</div>}
        <ErrorNote message={error} className="mt-3" />
      </div>
      <div className="flex justify-end gap-2 border-t border-slate-100 bg-slate-50 px-6 py-3">
        <button type="button" onClick={onCancel} disabled={busy} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-200 disabled:opacity-50">
          {cancelLabel}
        </button>
        <button
          type="button"
          onClick={onConfirm}
          disabled={busy}
          className={`rounded-md px-3 py-1.5 text-sm font-medium text-white disabled:opacity-60 ${danger ? "bg-red-600 hover:bg-red-700" : "bg-sky-700 hover:bg-sky-800"}`}
        >
          {busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
