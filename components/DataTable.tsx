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

/** The console's framed table: a header row of small capitals, rows divided by thin lines. */
export function DataTable<Row>({ columns, rows, rowKey, rowAttributes, density = "normal", testId, notice }: DataTableProps<Row>) {
  const padding = `px-4 ${ROW_PADDING[density]}`;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      {notice}
      <table className="w-full text-left text-sm" data-testid={testId}>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {columns.map((column) => (
              <th key={column.header} className={classes("px-4 py-2 font-medium", column.numeric && "text-right", column.headerClassName)}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowAttributes?.(row)}>
              {columns.map((column) => (
                <td key={column.header} className={classes(padding, column.numeric && "text-right tabular-nums", column.className)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function classes(...names: (string | false | undefined)[]): string {
  return names.filter(Boolean).join(" ");
}
