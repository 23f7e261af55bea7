/** Every cell is padded alike; the last one of a row has no right padding. */
const cellClass = "py-2 pr-3 last:pr-0";

/**
 * A data table: one header row of column headings (`scope="col"`) and a body of rows divided by lines. Callers
 * render the rows (`<tr>` with their own keys and test ids) out of Td and RowHeader cells.
 */
export function Table({ columns, children }: { columns: React.ReactNode[]; children: React.ReactNode }) {
  return (
    <table className="w-full text-left text-sm">
      <thead className="text-gray-600">
        <tr>
          {columns.map((column, i) => (
            <th key={i} scope="col" className={`${cellClass} font-medium`}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">{children}</tbody>
    </table>
  );
}

/** A data cell; `className` adds to the padding (e.g. `whitespace-nowrap`, `font-mono text-xs`). */
export function Td({ className, children }: { className?: string; children?: React.ReactNode }) {
  return <td className={className ? `${cellClass} ${className}` : cellClass}>{children}</td>;
}

/** The cell that names its row (`scope="row"`), e.g. the tier of a seats row. */
export function RowHeader({ children }: { children: React.ReactNode }) {
  return (
    <th scope="row" className={`${cellClass} font-medium`}>
      {children}
    </th>
  );
}
