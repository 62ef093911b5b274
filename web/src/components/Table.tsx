// A table with its column headings; `actions` adds a last column for each row's buttons, headed for screen
// readers only. At phone width (styles.css) each row is a card and each cell is headed by its column's
// name, which the table writes on its cells (`data-label`) so that no screen's rows have to. RowAction is
// one of those buttons, named for its row (e.g. "Delete widget") where its visible label is only the verb.
import { useLayoutEffect, useRef, type ReactNode } from "react";

interface TableProps {
  columns: string[];
  actions?: boolean;
  className?: string;
  children: ReactNode; // the rows
}

export function Table({ columns, actions = false, className, children }: TableProps) {
  const table = useRef<HTMLTableElement>(null);
  useLayoutEffect(() => {
    for (const row of table.current?.tBodies[0]?.rows ?? []) {
      [...row.cells].forEach((cell, n) => (cell.dataset.label = columns[n] ?? ""));
    }
  }); // after every render: rows come and go
  return (
    <div className="table-wrap">
      <table className={className} ref={table}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

interface RowActionProps {
  label?: string; // the accessible name, when the text alone does not say which row
  danger?: boolean;
  disabled?: boolean;
  onClick: () => void;
  children: ReactNode;
}

export function RowAction({ label, danger = false, disabled, onClick, children }: RowActionProps) {
  return (
    <button
      type="button"
      className={`button button--small${danger ? " button--danger-text" : ""}`}
      aria-label={label}
      disabled={disabled}
      onClick={onClick}
    >
      {children}
    </button>
  );
}
