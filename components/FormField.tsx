import type { ReactNode } from "react";

/**
 * A labelled form control with, under it, its error (announced; `<id>-error` is what the control's
 * aria-describedby names) or, while there is none, its hint.
 * `compact` (the create-mirror form): a lighter label, a smaller error, and no space above the
 * control, which brings its own.
 */
export function FormField({
  id,
  label,
  error,
  hint,
  compact = false,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  compact?: boolean;
  children: ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id} className={`block text-sm font-medium ${compact ? "text-slate-700" : "text-slate-800"}`}>
        {label}
      </label>
      {compact ? children : <div className="mt-1">{children}</div>}
      {error ? (
        <p id={`${id}-error`} role="alert" className={compact ? "mt-1 text-xs text-red-700" : "mt-1 text-sm text-red-700 [overflow-wrap:anywhere]"}>
          {error}
        </p>
      ) : (
        hint && <p className="mt-1 text-xs text-slate-500">{hint}</p>
      )}
    </div>
  );
}
