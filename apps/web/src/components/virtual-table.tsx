import { useState, type ReactNode } from 'react';

export interface Column<T> {
  header: string;
  className?: string;
  render(row: T): ReactNode;
}

interface VirtualTableProps<T> {
  label: string;
  rows: T[];
  columns: Column<T>[];
  rowKey(row: T): string;
  /** Every row has this height (CSS keeps it), so the visible slice is plain arithmetic. */
  rowHeight?: number;
  height?: number;
}

const OVERSCAN = 8;

/**
 * A table that renders only the rows in view: a run with 1,000 instances (or 10,000
 * parameters) scrolls as fast as one with ten. The header stays put; the height is fixed
 * so nothing around it jumps when rows arrive.
 */
export function VirtualTable<T>({
  label,
  rows,
  columns,
  rowKey,
  rowHeight = 32,
  height = 360,
}: VirtualTableProps<T>) {
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const visible = rows.slice(first, last);
  return (
    <div
      className="virtual-scroll"
      style={{ height }}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      tabIndex={0}
      role="region"
      aria-label={`${label} (${rows.length} rows, scrollable)`}
    >
      <table className="table virtual" aria-label={label} aria-rowcount={rows.length + 1}>
        <colgroup>
          {columns.map((column) => (
            <col key={column.header} className={column.className} />
          ))}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 && <tr aria-hidden="true" style={{ height: first * rowHeight }} />}
          {visible.map((row, i) => (
            <tr key={rowKey(row)} style={{ height: rowHeight }} aria-rowindex={first + i + 2}>
              {columns.map((column) => (
                <td key={column.header} className={column.className}>
                  {column.render(row)}
                </td>
              ))}
            </tr>
          ))}
          {last < rows.length && (
            <tr aria-hidden="true" style={{ height: (rows.length - last) * rowHeight }} />
          )}
        </tbody>
      </table>
    </div>
  );
}
