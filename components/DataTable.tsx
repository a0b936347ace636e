import type { HTMLAttributes, ReactNode } from "react";

/** One column: its header and how a row fills its cell. */
export interface DataColumn<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
  /** Right-aligned with tabular digits, header included. Default: false. */
  numeric?: boolean;
  /** Extra classes of the column's cells, e.g. "font-mono text-xs". */
  className?: string;
  /** Extra classes of the header cell, e.g. a width. */
  headerClassName?: string;
}

/** Attributes of one body row; `data-*` attributes let end-to-end tests find rows. */
export type RowAttributes = HTMLAttributes<HTMLTableRowElement> & { [data: `data-${string}`]: string | undefined };

const ROW_PADDING = { compact: "py-1.5", normal: "py-2", roomy: "py-2.5" } as const;

export interface DataTableProps<Row> {
  columns: DataColumn<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string | number;
  rowAttributes?: (row: Row) => RowAttributes;
  /** Default: "normal". */
  density?: keyof typeof ROW_PADDING;
  testId?: string;
  /** Shown inside the frame above the table, e.g. a refresh error. */
  notice?: ReactNode;
}

/**
 * The console's framed table: a header row of small capitals, rows divided by thin lines. Below
 * the `sm` breakpoint (640 px) each row becomes a stacked card of "label value" lines (the labels
 * come from the headers through `data-label`), so no column hides behind sideways scrolling on a
 * phone; the DOM stays the same, so tests and row attributes work at every width.
 */
export function DataTable<Row>({ columns, rows, rowKey, rowAttributes, density = "normal", testId, notice }: DataTableProps<Row>) {
  const padding = `px-4 ${ROW_PADDING[density]}`;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      {notice}
      <table className="w-full text-left text-sm max-sm:block" data-testid={testId}>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-600 max-sm:sr-only">
          <tr>
            {columns.map((column) => (
              <th key={column.header} className={classes("px-4 py-2 font-medium", column.numeric && "text-right", column.headerClassName)}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 max-sm:block">
          {rows.map((row) => {
            const attributes = rowAttributes?.(row);
            return (
              <tr key={rowKey(row)} {...attributes} className={classes(attributes?.className, "max-sm:block max-sm:py-2")}>
                {columns.map((column) => (
                  <td key={column.header} data-label={column.header} className={classes(padding, column.numeric && "text-right tabular-nums", column.className, STACKED_CELL)}>
                    {/* One wrapper, so a cell of several elements stays one grid item beside its label on a phone. */}
                    <div className="min-w-0">{column.cell(row)}</div>
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A cell on a phone: its header as a small label on the left, the value beside it, both allowed to wrap. */
const STACKED_CELL =
  "max-sm:grid max-sm:grid-cols-[minmax(6rem,35%)_minmax(0,1fr)] max-sm:gap-3 max-sm:py-1 max-sm:text-left max-sm:whitespace-normal max-sm:before:text-xs max-sm:before:font-medium max-sm:before:uppercase max-sm:before:tracking-wide max-sm:before:text-slate-600 max-sm:before:content-[attr(data-label)]";

function classes(...names: (string | false | undefined)[]): string {
  return names.filter(Boolean).join(" ");
}
