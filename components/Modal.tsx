"use client";

import { type ReactNode, useLayoutEffect, useRef } from "react";

/**
 * A modal on the native <dialog> element (focus trapping, Escape and the dialog role for free), open
 * while it is mounted, named by the element `labelledBy` points at. Escape asks the caller (`onCancel`)
 * unless `busy`; the caller closes it by unmounting it, and the browser then gives focus back to what
 * opened it.
 */
export function Modal({ labelledBy, busy = false, onCancel, className, testId, children }: { labelledBy: string; busy?: boolean; onCancel: () => void; className: string; testId?: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    // Closed before it leaves the page, so the browser gives focus back to the button that opened it.
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={labelledBy}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
      className={`m-auto rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/40 ${className}`}
      data-testid={testId}
    >
      {children}
    </dialog>
  );
}
