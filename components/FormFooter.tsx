import Link from "next/link";
import type { ReactNode } from "react";

/**
 * The row under a console form: the submit button (its label says what is happening while `busy`),
 * any further buttons, and Cancel, which leaves for `cancelHref` without saving.
 */
export function FormFooter({
  submitLabel,
  disabled,
  cancelHref,
  className = "",
  cancelClassName = "",
  children,
}: {
  submitLabel: string;
  disabled: boolean;
  cancelHref: string;
  /** Added to the row's classes, e.g. space above it. */
  className?: string;
  /** Added to Cancel's classes, e.g. `ml-auto` to push it to the far end. */
  cancelClassName?: string;
  /** Buttons between submit and Cancel. */
  children?: ReactNode;
}) {
  return (
    <div className={`flex items-center gap-3 ${className}`.trim()}>
      <button type="submit" disabled={disabled} className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60">
        {submitLabel}
      </button>
      {children}
      <Link href={cancelHref} className={`${cancelClassName} text-sm text-slate-600 hover:text-slate-900`.trim()}>
        Cancel
      </Link>
    </div>
  );
}
