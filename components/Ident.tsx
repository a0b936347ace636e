import { Fragment } from "react";

/**
 * A database identifier (schema.table, mirror_name, user@host:port/db) that may wrap where a reader
 * expects it to: after dots, underscores, slashes, colons and at signs, never one character per
 * line as `break-all` does. A part still longer than its box breaks anywhere as a last resort.
 */
export function Ident({ text, className }: { text: string; className?: string }) {
  const parts = text.split(/(?<=[._/:@])/);
  return (
    <span className={`[overflow-wrap:anywhere] ${className ?? ""}`}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </span>
  );
}
